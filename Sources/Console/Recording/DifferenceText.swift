import Inspector
import PluginSystem

/// How a result differs from the one it is compared with, as a replay and `sessions diff` print it:
/// the first trace stage that differs and how its value changed (or, when the value is the same, its
/// other fields), else the first differences of the whole result.
enum DifferenceText {
    static let shown = 8

    static func lines(firstStage: StageDifference?, diff: [PatchOperation], recordedLabel: String, _ style: TextStyle) -> [String] {
        var lines: [String] = []
        if let stage = firstStage {
            var head = "        first difference at stage \(stage.position), \(stage.plugin)"
            if let other = stage.recordedPlugin, other != stage.plugin { head += " (\(recordedLabel): \(other))" }
            head += ": " + "\(stage.recordedStatus ?? "absent") → \(stage.nowStatus ?? "absent")"
            lines.append(head)
            for op in stage.valueDiff { lines += TraceText.operation(op, style).map { "  " + $0 } }
            // The value is the same: say which of the stage's other fields differ (its logs, error…).
            if stage.valueDiff.isEmpty { lines += operations(stage.fields, style) }
        } else {
            lines += operations(diff, style)
        }
        return lines
    }

    static func operations(_ ops: [PatchOperation], _ style: TextStyle) -> [String] {
        var lines = ops.prefix(shown).flatMap { op in TraceText.operation(op, style).map { "  " + $0 } }
        if ops.count > shown { lines.append(style.dim("          …\(ops.count - shown) more differences")) }
        return lines
    }
}
