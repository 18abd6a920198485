import Inspector
import PluginSystem

/// `why PLUGIN [KIND.HOOK]`: why a plugin did or did not run in the last dispatch.
enum WhyCommand {
    static let usage = "why PLUGIN [KIND.HOOK]"

    static let spec = CommandSpec(
        name: "why", usage: usage, summary: "why a plugin did or did not run in the last dispatch",
        help: """
            Explains PLUGIN's part in the last dispatch of KIND.HOOK (by default the last dispatch of its
            kind): its state and why (failed, unavailable, switched off by you), a hook it lacks (with its
            methods that look like it), a priority you changed, its place in the order, and what the
            dispatch did — the stage that stopped the chain before it, why the singleton chose whom it
            chose, what each candidate's matches() / supports_* said in capability routing, who a
            fail_fast collect did not call. For middleware: whether it wraps the hook and what it changed.
            """,
        arguments: [.plugin, .kindHook],
        maxWords: 2,
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            let words = try args.words()
            guard let name = words.first, !name.isEmpty else { throw args.usageError(usage, "missing PLUGIN") }
            let record = try args.plugin(name, registry: registry, usage: usage)
            let (kind, hook): (String, String)
            if let word = words.dropFirst().first {
                (kind, hook) = try args.kindHook(word, registry: registry, usage: usage)
            } else {
                (kind, hook) = try await console.likelyDispatch(for: record, registry: registry)
            }
            let last = await console.debugger.dispatches["\(kind).\(hook)"]
            return Output(report: WhyReport(
                plugin: record, kind: kind, hook: hook, registry: registry, last: last, switchedOff: await console.disabled))
        })

    struct Output: CommandOutput {
        var report: WhyReport

        var json: JSONObject {
            [
                "plugin": .string(report.plugin), "kind": .string(report.kind), "hook": .string(report.hook),
                "ran": report.ran.map(JSONValue.bool) ?? .null, "verdict": .string(report.verdict),
                "reasons": .array(report.reasons.map { ["code": .string($0.code), "text": .string($0.text)] }),
            ]
        }

        func text(_ style: TextStyle) -> String {
            let mark = switch report.ran {
            case true?: style.green("ran")
            case false?: style.yellow("did not run")
            case nil: style.dim("not dispatched yet")
            }
            var lines = [style.bold("why \(report.plugin)") + style.dim(" in \(report.kind).\(report.hook): ") + mark, "  " + report.verdict]
            for reason in report.reasons { lines.append("  " + style.dim("· ") + reason.text) }
            return lines.joined(separator: "\n")
        }
    }
}

extension ConsoleState {
    /// The hook `why PLUGIN` is about when none is named: the last one dispatched that the plugin
    /// could take part in (for middleware: one it wraps), else its kind's only hook.
    func likelyDispatch(for record: PluginRecord, registry: PluginRegistry) throws(ConsoleError) -> (String, String) {
        let recent = debugger.dispatchOrder.reversed().compactMap { debugger.dispatches[$0] }
        let wraps = record.manifest.chainWrap
        if let last = recent.first(where: { wraps?.wraps(kind: $0.kind, hook: $0.hook) ?? ($0.kind == record.kind) }) {
            return (last.kind, last.hook)
        }
        let hooks = KindCatalog(registry).hooks(of: record.kind).filter { !$0.wrapper }
        if !record.manifest.isMiddleware, hooks.count == 1, let only = hooks.first { return (record.kind, only.name) }
        let choices = record.manifest.isMiddleware ? "the KIND.HOOK it may wrap" : hooks.map { "\(record.kind).\($0.name)" }.joined(separator: ", ")
        throw ConsoleError("nothing of \(record.manifest.isMiddleware ? "what '\(record.name)' wraps" : "kind '\(record.kind)'") was dispatched yet: name the hook (\(choices))\nusage: \(WhyCommand.usage)")
    }
}
