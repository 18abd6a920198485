import Inspector
import PluginHosts
import PluginSystem

/// What a replay found: per command `same`, `diverged` (with the first stage that differs and the
/// diff recorded → now), `skipped`, or `excluded` (stopped at the user's breakpoint and changed
/// there), the plugins changed since the recording, and the totals.
struct ReplayReport: CommandOutput {
    var file: SessionFile
    var directory: String
    var entries: [ReplayEntry]
    var changedPlugins: [PluginChange]
    var finished: Bool
    /// The ignore rules in force (the recording's and the replay's).
    var ignore: [String] = []
    /// The command that would accept what happens now (printed when something diverged).
    var updateCommand: String?
    /// What `--update` rewrote, or why it could not.
    var updated: SessionUpdater.Outcome?
    var updateProblem: String?
    /// The HTTP requests of the replay's own load (plugins' set-up) that did not match the recording's.
    var setupHTTP: [HTTPMismatch] = []
    /// Why the user's breakpoints did not stop this replay, when they have some.
    var unusedBreakpoints: String?

    var same: Int { entries.filter { $0.verdict == .same }.count }
    var diverged: Int { entries.filter { $0.verdict == .diverged }.count }
    var skipped: Int { entries.filter { $0.verdict == .skipped }.count }
    var excluded: Int { entries.filter { $0.verdict == .excluded }.count }
    var ignored: Int { entries.reduce(0) { $0 + $1.ignored } }
    /// Same everywhere, or every divergence accepted into the file.
    var succeeded: Bool { updateProblem == nil && ((diverged == 0 && setupHTTP.isEmpty) || updated != nil) }

    var json: JSONObject {
        var o: JSONObject = [
            "file": .string(file.path), "plugin_dir": .string(directory), "recorded_plugin_dir": .string(file.header.pluginDir),
            "recorded": .string(file.header.created), "entries": .array(entries.map(\.json)),
            "same": .int(same), "diverged": .int(diverged), "skipped": .int(skipped),
        ]
        o["changed_plugins"] = .array(changedPlugins.map(\.json))
        o["warnings"] = .array(file.warnings.map(JSONValue.string))
        o["finished"] = .bool(finished)
        o["ignore"] = .array(ignore.map(JSONValue.string))
        o["ignored"] = .int(ignored)
        if !setupHTTP.isEmpty { o["setup_http"] = .array(setupHTTP.map(\.json)) }
        if let updateCommand { o["update_command"] = .string(updateCommand) }
        if let updated { o["updated"] = updated.json }
        if let updateProblem { o["update_error"] = .string(updateProblem) }
        if excluded > 0 { o["excluded"] = .int(excluded) }
        if let unusedBreakpoints { o["breakpoints_not_used"] = .string(unusedBreakpoints) }
        return o
    }

    func text(_ style: TextStyle) -> String {
        var lines = [style.bold("replay \(file.path)") + style.dim(" against \(directory) (\(file.header.provenance))")]
        for warning in file.warnings { lines.append("  " + style.yellow("warning") + " " + warning) }
        for miss in setupHTTP { lines.append("  " + style.yellow("set-up http") + " " + miss.text) }
        if let unusedBreakpoints { lines.append("  " + style.dim("your breakpoints did not stop it: \(unusedBreakpoints)")) }
        for entry in entries { lines += Self.lines(entry, style) }
        if !changedPlugins.isEmpty {
            lines.append("  plugins changed since the recording: " + changedPlugins.map { "\($0.plugin) (\($0.change))" }.joined(separator: ", "))
        }
        var summary = "\(same) same, \(diverged) diverged"
        if skipped > 0 { summary += ", \(skipped) skipped" }
        if excluded > 0 { summary += ", \(excluded) excluded" }
        if ignored > 0 { summary += ", \(ignored) difference\(ignored == 1 ? "" : "s") ignored (\(ignore.joined(separator: " ")))" }
        if !finished { summary += style.dim(" (\(file.count - entries.count) not replayed)") }
        lines.append(diverged == 0 && setupHTTP.isEmpty ? style.green(summary) : style.yellow(summary))
        if let updated {
            var what = "\(updated.entries.count) entr\(updated.entries.count == 1 ? "y" : "ies") of \(updated.file)"
            if !updated.entries.isEmpty { what += " (seq \(updated.entries.map(String.init).joined(separator: ", ")))" }
            if updated.setupHTTP { what += " and the HTTP exchanges of its set-up" }
            lines.append(style.green("updated " + what) + "; the old file is \(updated.backup)")
        }
        if let updateProblem { lines.append(style.red("error: ") + updateProblem) }
        if let updateCommand { lines.append("to accept what happens now as the new recording: " + style.bold(updateCommand)) }
        return lines.joined(separator: "\n")
    }

    static func lines(_ entry: ReplayEntry, _ style: TextStyle) -> [String] {
        let verdict = switch entry.verdict {
        case .same: style.green("same    ")
        case .diverged: style.yellow("diverged")
        case .skipped: style.dim("skipped ")
        case .excluded: style.yellow("excluded")
        }
        var lines = ["  " + pad("\(entry.entry.seq)", 4) + verdict + "  " + entry.entry.line]
        if let note = entry.note { lines.append("        " + style.dim(note)) }
        guard entry.verdict == .diverged else { return lines }
        for miss in entry.http { lines.append("        http: " + miss.text) }
        if entry.ignored > 0 { lines.append("        " + style.dim("(\(entry.ignored) other difference\(entry.ignored == 1 ? "" : "s") ignored)")) }
        lines += DifferenceText.lines(firstStage: entry.firstStage, diff: entry.diff, recordedLabel: "recorded", style)
        return lines
    }
}
