import Inspector
import PluginSystem

/// `sessions diff A B`: two recordings aligned command by command (the longest run of commands they
/// share, in order, as a text diff aligns lines), and for each command both ran, whether its result
/// is the same — when not, the first trace stage that differs and how its output changed, A → B.
/// What a replay never compares (durations, pids, temporary paths, where each plugin directory is)
/// is left out here too, with the ignore rules of both files and `--ignore`.
struct SessionDiff: CommandOutput {
    enum Verdict: String, Sendable { case same, differs, onlyInA = "only_in_a", onlyInB = "only_in_b" }

    struct Row: Sendable {
        var a: SessionFile.EntryLocation?
        var b: SessionFile.EntryLocation?
        var verdict: Verdict
        var diff: [PatchOperation] = []
        var firstStage: StageDifference?
        var ignored = 0
        /// How the switches in force differed (`disabled`, `priorities`, `resources`), A → B.
        var stateDiff: [PatchOperation] = []
        /// How the HTTP exchanges differed, A → B.
        var httpDiff: [PatchOperation] = []
        /// Why an entry could not be compared (it changed since the file was opened).
        var problem: String?

        var line: String { (b ?? a)?.line ?? "" }

        var json: JSONValue {
            var o: JSONObject = ["a_seq": a.map { .int($0.seq) } ?? .null, "b_seq": b.map { .int($0.seq) } ?? .null,
                                 "line": .string(line), "verdict": .string(verdict.rawValue)]
            if verdict == .differs {
                o["first_stage"] = firstStage?.json ?? .null
                o["diff"] = .array(diff.map(\.json))
                if !stateDiff.isEmpty { o["state_diff"] = .array(stateDiff.map(\.json)) }
                if !httpDiff.isEmpty { o["http_diff"] = .array(httpDiff.map(\.json)) }
            }
            if ignored > 0 { o["ignored"] = .int(ignored) }
            if let problem { o["error"] = .string(problem) }
            return .object(o)
        }
    }

    var a: SessionFile
    var b: SessionFile
    var rows: [Row]
    var plugins: [PluginChange]
    var ignore: [String]

    func count(_ verdict: Verdict) -> Int { rows.filter { $0.verdict == verdict }.count }
    var ignored: Int { rows.reduce(0) { $0 + $1.ignored } }
    var succeeded: Bool { rows.allSatisfy { $0.verdict == .same } }

    /// Compares the recordings at `a` and `b`, reading one entry of each at a time.
    static func compare(_ a: SessionFile, _ b: SessionFile, ignore extra: [String]) throws(ConsoleError) -> SessionDiff {
        let rules = try IgnoreRules(a.header.ignore + b.header.ignore + extra)
        let comparison = ResultComparison(
            recordedDirectories: [a.header.pluginDir, a.header.pluginDirAbsolute],
            currentDirectories: [b.header.pluginDir, b.header.pluginDirAbsolute], ignore: rules,
            version: min(a.header.version, b.header.version))
        var rows: [Row] = []
        for (i, j) in align(a.locations.map(\.line), b.locations.map(\.line)) {
            switch (i, j) {
            case (let i?, nil): rows.append(Row(a: a.locations[i], verdict: .onlyInA))
            case (nil, let j?): rows.append(Row(b: b.locations[j], verdict: .onlyInB))
            case (let i?, let j?): rows.append(compare(a, i, b, j, comparison))
            case (nil, nil): break
            }
        }
        return SessionDiff(
            a: a, b: b, rows: rows, plugins: PluginChange.changes(from: a.header.plugins, to: b.header.plugins), ignore: rules.pointers)
    }

    private static func compare(_ a: SessionFile, _ i: Int, _ b: SessionFile, _ j: Int, _ comparison: ResultComparison) -> Row {
        var row = Row(a: a.locations[i], b: b.locations[j], verdict: .same)
        let left: SessionFile.Entry, right: SessionFile.Entry
        do { (left, right) = (try a.entry(i), try b.entry(j)) } catch {
            row.verdict = .differs
            row.problem = error.message
            return row
        }
        let outcome = comparison.compare(recorded: left.result, now: right.result)
        row.diff = outcome.diff
        row.firstStage = outcome.firstStage
        row.ignored = outcome.ignored
        row.stateDiff = JSONDiff.diff(comparison.normalize(left.state), comparison.normalize(right.state))
        row.httpDiff = JSONDiff.diff(comparison.normalize(.array(left.http.map(\.json))), comparison.normalize(.array(right.http.map(\.json))))
        if !row.diff.isEmpty || !row.stateDiff.isEmpty || !row.httpDiff.isEmpty { row.verdict = .differs }
        return row
    }

    /// Pairs of positions in `a` and `b`: both for a command of the longest common run, one for a
    /// command only one of them ran, in the order of both files.
    static func align(_ a: [String], _ b: [String]) -> [(Int?, Int?)] {
        var removed = Set<Int>(), inserted = Set<Int>()
        for change in b.difference(from: a) {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        var pairs: [(Int?, Int?)] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count && removed.contains(i) {
                pairs.append((i, nil))
                i += 1
            } else if j < b.count && inserted.contains(j) {
                pairs.append((nil, j))
                j += 1
            } else {
                pairs.append((i, j))
                i += 1
                j += 1
            }
        }
        return pairs
    }

    var json: JSONObject {
        func side(_ f: SessionFile) -> JSONValue {
            var o: JSONObject = ["file": .string(f.path), "recorded": .string(f.header.created), "plugin_dir": .string(f.header.pluginDir),
             "commands": .int(f.count), "warnings": .array(f.warnings.map(JSONValue.string))]
            if let updated = f.header.updated { o["updated"] = .string(updated) }
            return .object(o)
        }
        var o: JSONObject = ["a": side(a), "b": side(b), "rows": .array(rows.map(\.json))]
        o["same"] = .int(count(.same))
        o["differ"] = .int(count(.differs))
        o["only_in_a"] = .int(count(.onlyInA))
        o["only_in_b"] = .int(count(.onlyInB))
        o["plugins"] = .array(plugins.map(\.json))
        o["ignore"] = .array(ignore.map(JSONValue.string))
        o["ignored"] = .int(ignored)
        return o
    }

    static func count(_ commands: Int) -> String { "\(commands) command\(commands == 1 ? "" : "s")" }

    func text(_ style: TextStyle) -> String {
        var lines = [style.bold("sessions diff \(a.path) \(b.path)")]
        lines.append(style.dim("  A \(a.path): \(Self.count(a.count)) \(a.header.provenance)"))
        lines.append(style.dim("  B \(b.path): \(Self.count(b.count)) \(b.header.provenance)"))
        for warning in a.warnings + b.warnings { lines.append("  " + style.yellow("warning") + " " + warning) }
        for row in rows {
            let verdict = switch row.verdict {
            case .same: style.green("same     ")
            case .differs: style.yellow("differs  ")
            case .onlyInA: style.red("only in A")
            case .onlyInB: style.green("only in B")
            }
            let position = pad(row.a.map { "\($0.seq)" } ?? "-", 3) + " " + pad(row.b.map { "\($0.seq)" } ?? "-", 4)
            lines.append("  " + position + verdict + "  " + row.line)
            guard row.verdict == .differs else { continue }
            if let problem = row.problem { lines.append("        " + style.red("error: ") + problem) }
            if row.ignored > 0 { lines.append("        " + style.dim("(\(row.ignored) other difference\(row.ignored == 1 ? "" : "s") ignored)")) }
            if !row.stateDiff.isEmpty {
                lines.append("        switches in force differ:")
                lines += DifferenceText.operations(row.stateDiff, style)
            }
            if !row.diff.isEmpty { lines += DifferenceText.lines(firstStage: row.firstStage, diff: row.diff, recordedLabel: "A", style) }
            if !row.httpDiff.isEmpty {
                lines.append("        HTTP exchanges differ:")
                lines += DifferenceText.operations(row.httpDiff, style)
            }
        }
        if !plugins.isEmpty {
            let named = plugins.map { change in
                switch change.change {
                case "added": "\(change.plugin) (only in B)"
                case "removed": "\(change.plugin) (only in A)"
                default: "\(change.plugin) (\(change.change))"
                }
            }
            lines.append("  plugins: " + named.joined(separator: ", "))
        }
        var summary = "\(count(.same)) same, \(count(.differs)) differ, \(count(.onlyInA)) only in A, \(count(.onlyInB)) only in B"
        if ignored > 0 { summary += ", \(ignored) difference\(ignored == 1 ? "" : "s") ignored (\(ignore.joined(separator: " ")))" }
        lines.append(succeeded ? style.green(summary) : style.yellow(summary))
        return lines.joined(separator: "\n")
    }
}
