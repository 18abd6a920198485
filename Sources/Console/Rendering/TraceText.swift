import Inspector
import PluginSystem

/// A trace for a person: one line per stage, its diff under it (a changed string word by word),
/// its output and the middleware around it; large values cut down to what changed.
enum TraceText {
    /// How much of a trace the text shows (`--json` always carries all of it).
    struct View {
        /// `--changed`: only stages that changed the value (or stopped or failed); the rest on one line.
        var changedOnly = false
        /// `--quiet-mw`: middleware calls folded into their stage's line, unless they changed or failed something.
        var quietMiddleware = false

        init(changedOnly: Bool = false, quietMiddleware: Bool = false) {
            self.changedOnly = changedOnly
            self.quietMiddleware = quietMiddleware
        }

        init(options: Set<String>) {
            self.init(changedOnly: options.contains("--changed"), quietMiddleware: options.contains("--quiet-mw"))
        }
    }

    /// - Parameter paused: the walk stopped at a breakpoint and goes on: no ending to show yet.
    /// - Parameter chain: the names of every stage of the chain, when the trace does not hold them
    ///   all yet (a walk under way), so its columns line up with what the walk prints next.
    static func render(_ r: TraceResult, _ style: TextStyle, view: View = View(), paused: Bool = false, chain: [String]? = nil) -> String {
        var lines = [style.bold("trace \(r.kind).\(r.hook)"), "  " + style.dim("input  ") + ValueText.short(r.input)]
        lines += stages(r.stages, numbers: r.stages.indices.map { $0 + 1 }, nameWidth: nameWidth(chain ?? r.stages.map(\.plugin)), style, view: view)
        if r.stages.isEmpty && r.error == nil { lines.append("  " + style.dim("no plugin implements \(r.kind).\(r.hook): the input comes back as it is")) }
        if paused {
            // The walk goes on: the stage that raised (if one did) shows its error above.
        } else if r.aborted {
            lines.append("  " + style.yellow("aborted") + (r.error != nil ? " at a stage that raised (its error is above)" : "")
                + ": the chain did not finish, so it has no output")
            if let reached = r.output { lines.append("  " + style.dim("value reached ") + ValueText.short(reached)) }
        } else if let error = r.error {
            // An error a stage raised is shown with that stage, once.
            if let at = r.stages.firstIndex(where: { $0.status == .error && $0.error?.description == error.description }) {
                lines.append("  " + style.red("chain failed") + " at \(at + 1) \(r.stages[at].plugin)" + style.dim(" (its error is above)"))
            } else {
                lines.append(ErrorJSON.text(error, style, indent: "  ", logs: false))
            }
        } else if let output = r.output {
            lines.append("  " + style.dim("output ") + ValueText.short(output) + stoppedBy(r.stoppedBy, style))
        }
        return lines.joined(separator: "\n")
    }

    /// The width of the plugin column: the longest stage name of the chain, so a trace and the
    /// step verbs that go on from it line up.
    static func nameWidth(_ names: some Collection<String>) -> Int {
        max(10, names.map(\.count).max() ?? 0) + 2
    }

    /// `  (stopped by blacklist: STOP_CHAIN)` after an output, or nothing.
    static func stoppedBy(_ plugin: String?, _ style: TextStyle) -> String {
        plugin.map { style.yellow("  (stopped by \($0): STOP_CHAIN)") } ?? ""
    }

    /// Stages as a trace and the step verbs show them: `numbers[i]` is the place of `stages[i]`
    /// in the chain. With `--changed`, the stages that did nothing are folded onto one line.
    static func stages(_ stages: [StageTrace], numbers: [Int], nameWidth: Int, _ style: TextStyle, view: View = View()) -> [String] {
        var lines: [String] = []
        var folded: [String] = []
        for (index, stage) in stages.enumerated() {
            let number = numbers[index]
            if view.changedOnly && ![.changed, .stopped, .error].contains(stage.status) && !stage.middleware.contains(where: { !$0.diff.isEmpty }) {
                folded.append("\(number) \(stage.plugin) \(stage.status.rawValue)")
                continue
            }
            lines += self.stage(stage, number: number, nameWidth: nameWidth, style, view: view)
        }
        if !folded.isEmpty { lines.append("  " + style.dim("· " + folded.joined(separator: ", "))) }
        return lines
    }

    static func stage(_ s: StageTrace, number: Int, nameWidth: Int, _ style: TextStyle, view: View = View()) -> [String] {
        var lines: [String] = []
        // Middleware that changed or failed something is always shown; the rest can fold.
        let shown = s.middleware.filter { !view.quietMiddleware || $0.replaced || $0.error != nil || !$0.diff.isEmpty }
        let quiet = s.middleware.filter { m in !shown.contains { $0.plugin == m.plugin && $0.hook == m.hook } }
        for m in shown where m.hook == "before" { lines += middleware(m, style) }
        var head = "  " + pad("\(number)", 3) + pad(s.plugin, nameWidth) + pad("\(s.priority)", 6) + pad(style.state(s.status.rawValue), 11)
        if let micros = s.durationMicros { head += style.dim(duration(micros)) }
        if let waited = s.debuggerMicros { head += style.dim(" + " + debuggerWait(waited)) }
        if let note = s.note { head += style.dim("  " + BriefReason.of(note, plugin: s.plugin)) }
        if !quiet.isEmpty {
            let names = Set(quiet.map(\.plugin)).sorted().joined(separator: ", ")
            let logs = quiet.map(\.logs.count).reduce(0, +)
            head += style.dim("  +mw \(names) ×\(quiet.count) \(duration(quiet.map(\.durationMicros).reduce(0, +)))"
                + (logs > 0 ? ", \(logs) log line\(logs == 1 ? "" : "s")" : ""))
        }
        lines.append(head)
        // A stage in error passed nothing on: its message says what it returned.
        if let nothing = s.returnedNothing, s.status != .error { lines.append("       " + style.yellow(nothing.chainNote)) }
        // With middleware changes around it, the plugin's own part of the diff; else the whole.
        for op in s.pluginDiff ?? s.diff { lines += operation(op, style) }
        for log in s.logs { lines.append("       " + LogJSON.text(log, style)) }
        if let error = s.error { lines.append(ErrorJSON.text(error, style, indent: "       ", logs: false)) }
        for m in shown where m.hook == "after" { lines += middleware(m, style) }
        return lines
    }

    static func middleware(_ m: MiddlewareCall, _ style: TextStyle) -> [String] {
        var line = "     " + style.cyan("↳ \(m.plugin).\(m.hook)") + style.dim(" " + duration(m.durationMicros))
        if let waited = m.debuggerMicros { line += style.dim(" + " + debuggerWait(waited)) }
        if m.replaced { line += style.yellow(m.hook == "before" ? "  replaced the arguments" : "  replaced the result") }
        if let e = m.error { line += "  " + style.red(e.description) }
        var lines = [line]
        for op in m.diff { lines += operation(op, style).map { "  " + $0 } }
        for log in m.logs { lines.append("       " + LogJSON.text(log, style)) }
        return lines
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
                lines.append("         " + words(old, new, style))
            }
            return lines
        }
    }

    /// A changed text word by word: removed red and struck, added green (`[-…-]{+…+}` without colour);
    /// for two texts that only differ in Unicode normalisation, which would look the same, what differs.
    static func words(_ old: String, _ new: String, _ style: TextStyle) -> String {
        if let note = NormalisationNote.describe(old, new) { return style.yellow(note) }
        return WordDiff.diff(old, new).map { segment -> String in
            switch segment {
            case .same(let t): return t
            case .removed(let t): return style.removed(t)
            case .added(let t): return style.added(t)
            }
        }.joined()
    }

    /// µs under a millisecond, ms under a second, then seconds: `1267.65 ms` reads worse than `1.27 s`.
    static func duration(_ micros: Int) -> String {
        if micros >= 1_000_000 { return String(format: "%.2f s", Double(micros) / 1_000_000) }
        return micros >= 1000 ? String(format: "%.2f ms", Double(micros) / 1000) : "\(micros) µs"
    }

    /// The time a debugger in the plugin's code waited at its prompt: the user's, not the plugin's.
    static func debuggerWait(_ micros: Int) -> String {
        (micros >= 1_000_000 ? String(format: "%.1f s", Double(micros) / 1_000_000) : duration(micros)) + " in the debugger"
    }
}

import Foundation
