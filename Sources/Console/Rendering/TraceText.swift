import Inspector
import PluginSystem

/// A trace for a person: one line per stage, its diff under it (a changed string word by word),
/// its output and the middleware around it; large values cut down to what changed.
enum TraceText {
    static func render(_ r: TraceResult, _ style: TextStyle) -> String {
        var lines = [style.bold("trace \(r.kind).\(r.hook)"), "  " + style.dim("input  ") + ValueText.short(r.input)]
        let nameWidth = max(10, r.stages.map(\.plugin.count).max() ?? 0) + 2
        for (index, stage) in r.stages.enumerated() {
            lines += self.stage(stage, number: index + 1, nameWidth: nameWidth, style)
        }
        if r.stages.isEmpty && r.error == nil { lines.append("  " + style.dim("no plugin implements \(r.kind).\(r.hook): the input comes back as it is")) }
        if let error = r.error {
            lines.append(ErrorJSON.text(error, style, indent: "  ", logs: false))
        } else if let output = r.output {
            var tail = "  " + style.dim("output ") + ValueText.short(output)
            if let stopper = r.stoppedBy { tail += style.yellow("  (stopped by \(stopper): STOP_CHAIN)") }
            lines.append(tail)
        }
        return lines.joined(separator: "\n")
    }

    static func stage(_ s: StageTrace, number: Int, nameWidth: Int, _ style: TextStyle) -> [String] {
        var lines: [String] = []
        for m in s.middleware where m.hook == "before" { lines.append(middleware(m, style)) }
        var head = "  " + pad("\(number)", 3) + pad(s.plugin, nameWidth) + pad("\(s.priority)", 6) + pad(style.state(s.status.rawValue), 11)
        if let micros = s.durationMicros { head += style.dim(duration(micros)) }
        if let note = s.note { head += style.dim("  " + note) }
        lines.append(head)
        for op in s.diff { lines += operation(op, style) }
        for log in s.logs { lines.append("       " + LogJSON.text(log, style)) }
        if let error = s.error { lines.append(ErrorJSON.text(error, style, indent: "       ", logs: false)) }
        for m in s.middleware where m.hook == "after" { lines.append(middleware(m, style)) }
        return lines
    }

    static func middleware(_ m: MiddlewareCall, _ style: TextStyle) -> String {
        var line = "     " + style.cyan("↳ \(m.plugin).\(m.hook)") + style.dim(" " + duration(m.durationMicros))
        if m.replaced { line += style.yellow(m.hook == "before" ? "  replaced the arguments" : "  replaced the result") }
        if let e = m.error { line += "  " + style.red(e.description) }
        for log in m.logs { line += "\n       " + LogJSON.text(log, style) }
        return line
    }

    static func operation(_ op: PatchOperation, _ style: TextStyle) -> [String] {
        let path = op.path.isEmpty ? "(value)" : op.path
        switch op.op {
        case .add:
            return ["       " + style.green("+ \(path)") + "  " + ValueText.short(op.value ?? .null)]
        case .remove:
            return ["       " + style.red("- \(path)") + "  " + ValueText.short(op.old ?? .null)]
        case .replace:
            var lines = ["       " + style.yellow("~ \(path)") + "  " + ValueText.short(op.old ?? .null, limit: 70) + " → " + ValueText.short(op.value ?? .null, limit: 70)]
            if case .string(let old)? = op.old, case .string(let new)? = op.value {
                let words = WordDiff.diff(old, new).map { segment -> String in
                    switch segment {
                    case .same(let t): return t
                    case .removed(let t): return style.removed(t)
                    case .added(let t): return style.added(t)
                    }
                }.joined()
                lines.append("         " + words)
            }
            return lines
        }
    }

    static func duration(_ micros: Int) -> String {
        micros >= 1000 ? String(format: "%.2f ms", Double(micros) / 1000) : "\(micros) µs"
    }
}

import Foundation
