import Inspector
import PluginSystem

/// What a replay found: per command `same`, `diverged` (with the first stage that differs and the
/// diff recorded → now) or `skipped`, the plugins changed since the recording, and the totals.
struct ReplayReport: CommandOutput {
    var file: SessionFile
    var directory: String
    var entries: [ReplayEntry]
    var changedPlugins: [PluginChange]
    var finished: Bool

    var same: Int { entries.filter { $0.verdict == .same }.count }
    var diverged: Int { entries.filter { $0.verdict == .diverged }.count }
    var skipped: Int { entries.filter { $0.verdict == .skipped }.count }
    var succeeded: Bool { diverged == 0 }

    var json: JSONObject {
        [
            "file": .string(file.path), "plugin_dir": .string(directory), "recorded_plugin_dir": .string(file.header.pluginDir),
            "recorded": .string(file.header.created), "entries": .array(entries.map(\.json)),
            "same": .int(same), "diverged": .int(diverged), "skipped": .int(skipped),
            "changed_plugins": .array(changedPlugins.map { ["plugin": .string($0.plugin), "change": .string($0.change)] }),
            "warnings": .array(file.warnings.map(JSONValue.string)), "finished": .bool(finished),
        ]
    }

    func text(_ style: TextStyle) -> String {
        var lines = [style.bold("replay \(file.path)") + style.dim(" against \(directory) (recorded \(file.header.created) on \(file.header.pluginDir))")]
        for warning in file.warnings { lines.append("  " + style.yellow("warning") + " " + warning) }
        for entry in entries { lines += Self.lines(entry, style) }
        if !changedPlugins.isEmpty {
            lines.append("  plugins changed since the recording: " + changedPlugins.map { "\($0.plugin) (\($0.change))" }.joined(separator: ", "))
        }
        var summary = "\(same) same, \(diverged) diverged"
        if skipped > 0 { summary += ", \(skipped) skipped" }
        if !finished { summary += style.dim(" (\(file.count - entries.count) not replayed)") }
        lines.append(diverged == 0 ? style.green(summary) : style.yellow(summary))
        return lines.joined(separator: "\n")
    }

    static func lines(_ entry: ReplayEntry, _ style: TextStyle) -> [String] {
        let verdict = switch entry.verdict {
        case .same: style.green("same    ")
        case .diverged: style.yellow("diverged")
        case .skipped: style.dim("skipped ")
        }
        var lines = ["  " + pad("\(entry.entry.seq)", 4) + verdict + "  " + entry.entry.line]
        if let note = entry.note { lines.append("        " + style.dim(note)) }
        guard entry.verdict == .diverged else { return lines }
        if let stage = entry.firstStage {
            var head = "        first difference at stage \(stage.position), \(stage.plugin)"
            if let other = stage.recordedPlugin, other != stage.plugin { head += " (recorded: \(other))" }
            head += ": " + "\(stage.recordedStatus ?? "absent") → \(stage.nowStatus ?? "absent")"
            lines.append(head)
            for op in stage.valueDiff { lines += TraceText.operation(op, style).map { "  " + $0 } }
            // The value is the same: say which of the stage's other fields differ (its logs, error…).
            if stage.valueDiff.isEmpty {
                for op in stage.fields.prefix(8) { lines += TraceText.operation(op, style).map { "  " + $0 } }
                if stage.fields.count > 8 { lines.append(style.dim("          …\(stage.fields.count - 8) more differences")) }
            }
        } else {
            for op in entry.diff.prefix(8) { lines += TraceText.operation(op, style).map { "  " + $0 } }
            if entry.diff.count > 8 { lines.append(style.dim("          …\(entry.diff.count - 8) more differences")) }
        }
        return lines
    }
}
