import Inspector
import PluginSystem

/// `trace KIND.HOOK JSON`: push a value through a chain and show what every stage did.
enum TraceCommand {
    static let usage = "trace KIND.HOOK JSON"

    static let spec = CommandSpec(
        name: "trace", usage: usage, summary: "run a chain and show every stage with its diff",
        help: """
            Pushes JSON through the chain KIND.HOOK and shows every stage in dispatch order: plugin,
            priority, status (changed, unchanged, stopped for STOP_CHAIN, error, disabled, not_run), the
            time, the diff between the value before and after (JSON Patch; a changed string also word by
            word), what the plugin printed or logged, and the middleware calls around it.
            """,
        arguments: [.kindHook],
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            let (kind, hook, input) = try args.chainRequest(registry: registry, usage: usage)
            let result = await ChainTracer(registry: registry, kind: kind, hook: hook).trace(input)
            await console.remember(result)
            return Output(result: result)
        })

    struct Output: CommandOutput {
        var result: TraceResult
        var succeeded: Bool { result.error == nil }
        var json: JSONObject { TraceJSON.object(result) }
        func text(_ style: TextStyle) -> String { TraceText.render(result, style) }
    }
}

extension ConsoleState {
    func remember(_ trace: TraceResult) { lastTrace = trace }
}
