import Foundation
import Inspector
import PluginSystem

/// `blame PATH [FILE [SEQ]]`: which stages changed the value at PATH, in the last trace or in a
/// recorded one.
enum BlameCommand {
    static let usage = "blame PATH [FILE [SEQ]]"

    static let spec = CommandSpec(
        name: "blame", usage: usage, summary: "which stage produced the value at a path",
        help: """
            Lists every stage that changed the value at PATH (a JSON Pointer: /text, /items/0, value for
            the whole value) in the last trace — or the walk in progress — with the value before → after
            and who did it: the plugin, the middleware call around it (governance.after) or your own `set`
            while stepping; then the stage that produced the value the output has. With FILE, the last
            trace recorded in that session file (or its entry SEQ) instead.
            """,
        arguments: [.pointer, .path, .words([])],
        maxWords: 3,
        run: { args, console throws(ConsoleError) in
            let words = try args.words()
            guard let pathWord = words.first, !pathWord.isEmpty else { throw args.usageError(usage, "missing PATH (a JSON Pointer such as /text)") }
            let path: JSONPointer
            if pathWord == "value" {
                path = JSONPointer(tokens: [])
            } else {
                do throws(JSONPointer.ParseError) { path = try JSONPointer(parsing: pathWord) } catch { throw args.usageError(usage, "bad PATH '\(pathWord)': \(error.message)") }
            }
            let (trace, source) = try await console.blameSource(file: words.dropFirst().first, seq: words.dropFirst(2).first, usage: usage)
            return Output(report: BlameReport(path: path, trace: trace), trace: trace, source: source)
        })

    struct Output: CommandOutput {
        var report: BlameReport
        var trace: TraceResult
        /// Where the trace came from: `{"trace": "last"}` or `{"file", "seq", "line"}`.
        var source: JSONObject

        var json: JSONObject {
            let r = report
            return [
                "path": .string(r.path.description), "source": .object(source), "kind": .string(trace.kind), "hook": .string(trace.hook),
                "input": r.input ?? .null, "input_has_path": .bool(r.input != nil),
                "changes": .array(r.changes.map { c in
                    var o: JSONObject = [
                        "position": .int(c.position), "plugin": .string(c.plugin), "by": .string(c.by), "middleware": .bool(c.byMiddleware),
                        "before": c.before ?? .null, "after": c.after ?? .null,
                    ]
                    if c.before == nil { o["added"] = true }
                    if c.after == nil { o["removed"] = true }
                    if c.rejected { o["rejected"] = true }
                    return .object(o)
                }),
                "has_output": .bool(r.hasOutput), "output": r.output ?? .null,
                "produced_by": r.producedBy.map { i in
                    ["position": .int(r.changes[i].position), "plugin": .string(r.changes[i].plugin), "by": .string(r.changes[i].by)]
                } ?? .null,
            ]
        }

        func text(_ style: TextStyle) -> String {
            let r = report
            let where_ = source["file"]?.stringValue.map { "\($0) entry \(source["seq"]?.intValue ?? 0)" } ?? (source["trace"] == "walk" ? "the walk in progress" : "the last trace")
            var lines = [style.bold("blame \(r.path.tokens.isEmpty ? "value" : r.path.description)") + style.dim(" in \(trace.kind).\(trace.hook) (\(where_))")]
            let show = { (v: JSONValue?) in v.map { ValueText.short($0, limit: 70) } ?? style.dim("(absent)") }
            let who = r.changes.map { c in
                c.by == "set" ? "\(c.position) set before \(c.plugin)" : "\(c.position) \(c.plugin)" + (c.byMiddleware ? " (by \(c.by))" : "")
            }
            let width = max(10, (who.map(\.count).max() ?? 0) + 2)
            lines.append("  " + pad(style.dim("input"), width) + show(r.input))
            for (index, c) in r.changes.enumerated() {
                var line = "  " + pad(who[index], width) + show(c.before) + " → " + show(c.after)
                if c.rejected { line += style.red("  (the stage raised: the value went no further)") }
                if index == r.producedBy { line += style.green("  ← the output's value") }
                lines.append(line)
                if case .string(let old)? = c.before, case .string(let new)? = c.after {
                    lines.append("  " + String(repeating: " ", count: width) + TraceText.words(old, new, style))
                }
            }
            if r.changes.isEmpty { lines.append("  " + style.dim("no stage changed it")) }
            if r.hasOutput {
                var tail = "  " + pad(style.dim("output"), width) + show(r.output)
                if r.producedBy == nil { tail += style.dim(r.output == nil ? "" : r.changes.isEmpty ? "  (the input's value, untouched)" : "") }
                lines.append(tail)
            } else {
                lines.append("  " + style.dim(trace.error != nil ? "no output: the chain raised" : "no output yet: the walk has not finished"))
            }
            return lines.joined(separator: "\n")
        }
    }
}

extension ConsoleState {
    /// The trace blame looks at: the walk in progress, the last trace, or one recorded in a session file.
    func blameSource(file: String?, seq: String?, usage: String) throws(ConsoleError) -> (TraceResult, JSONObject) {
        guard let file else {
            if let stepper, !stepper.isFinished { return (stepper.result, ["trace": "walk"]) }
            if let last = debugger.lastWalk?.result ?? lastTrace { return (last, ["trace": "last"]) }
            throw ConsoleError("no trace to blame yet: trace a chain first, or name a session file (\(usage))")
        }
        let sessionFile: SessionFile
        do {
            sessionFile = try SessionFile.read(FileManager.default.fileExists(atPath: file) ? file : sessionPath(file))
        } catch { throw ConsoleError(error.message) }
        let wanted: Int?
        if let seq {
            guard let n = Int(seq) else { throw ConsoleError("SEQ must be an entry number, not '\(seq)'\nusage: \(usage)") }
            wanted = n
        } else {
            wanted = nil
        }
        var found: (SessionFile.Entry, TraceResult)?
        for index in sessionFile.locations.indices.reversed() {
            let location = sessionFile.locations[index]
            if let wanted, location.seq != wanted { continue }
            let entry: SessionFile.Entry
            do { entry = try sessionFile.entry(index) } catch { throw ConsoleError(error.message) }
            // A trace's result, or a walk's that finished (its `trace`), or a reload's re-run.
            if let trace = TraceJSON.decode(entry.result) ?? entry.result["trace"].flatMap(TraceJSON.decode) {
                found = (entry, trace)
                break
            }
            if wanted != nil { throw ConsoleError("\(sessionFile.path) entry \(location.seq) (\(location.line)) holds no trace") }
        }
        guard let (entry, trace) = found else {
            throw ConsoleError(wanted.map { "\(sessionFile.path) has no entry \($0)" } ?? "\(sessionFile.path) holds no trace")
        }
        return (trace, ["file": .string(sessionFile.path), "seq": .int(entry.seq), "line": .string(entry.line)])
    }
}
