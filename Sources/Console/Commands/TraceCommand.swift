import Inspector
import PluginSystem

/// `trace KIND.HOOK JSON`: push a value through a chain and show what every stage did. A trace that
/// hits a breakpoint stops there and goes on as a step session.
enum TraceCommand {
    static let usage = "trace [--changed] [--quiet-mw] KIND.HOOK JSON|example[N]|@FILE"
    static let options = ["--changed", "--quiet-mw"]

    static let spec = CommandSpec(
        name: "trace", usage: usage, summary: "run a chain and show every stage with its diff",
        help: """
            Pushes JSON through the chain KIND.HOOK and shows every stage in dispatch order: plugin,
            priority, status (changed, unchanged, stopped for STOP_CHAIN, error, disabled, not_run), the
            time, the diff between the value before and after (JSON Patch; a changed string also word by
            word; what middleware changed around a stage apart from what the plugin did), what the plugin
            printed or logged, and the middleware calls around it. The input can be JSON, @FILE (a JSON
            file) or example[N] (the hookspec's examples; example is the first).
            --changed shows only the stages that changed the value (the others on one line); --quiet-mw
            folds the middleware calls into their stage's line (one that changed something still shows);
            both may also follow the value. --json always carries every stage. A breakpoint (`break`) stops the trace and turns it into
            a step session: the prompt shows where, continue runs on.
            """,
        arguments: [.kindHook, .chainInput],
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            let request = try args.chainRequest(registry: registry, usage: usage, options: options)
            return await console.trace(request.kind, request.hook, request.input, view: TraceText.View(options: request.options))
        })

    struct Output: CommandOutput {
        var result: TraceResult
        var view = TraceText.View()
        /// Set when a breakpoint (or `break error`) stopped the trace: it goes on as a step session.
        var paused: WalkOutput?

        init(result: TraceResult, view: TraceText.View = TraceText.View(), paused: WalkOutput? = nil) {
            self.result = result
            self.view = view
            self.paused = paused
        }

        /// What a trace prints for a walk as it stands: the whole trace when it is over, else the
        /// stages so far and where it stopped.
        init(walk: ChainStepper, view: TraceText.View = TraceText.View()) {
            self.init(result: walk.result, view: view, paused: walk.isFinished ? nil : WalkOutput(event: .ran, walk: walk, stages: []))
        }

        var succeeded: Bool { paused?.succeeded ?? (result.error == nil) }
        var pluginFailures: [DagstackError] { result.stages.compactMap(\.error) }

        var json: JSONObject {
            var o = TraceJSON.object(result)
            if let paused {
                o["paused"] = paused.pause.map(WalkText.pauseJSON) ?? .null
                o["next"] = paused.json["next"]
            }
            return o
        }

        func text(_ style: TextStyle) -> String {
            var text = TraceText.render(result, style, view: view, paused: paused != nil, chain: paused.map { Array($0.positions.keys) })
            if let paused {
                if let pause = paused.pause { text += "\n" + WalkText.pauseLine(pause, style) }
                if let next = paused.upcoming {
                    text += "\n" + style.dim(paused.halted
                        ? "stepping: at \(next.position)/\(next.total) \(next.name), which raised — \(paused.verbs)"
                        : "stepping: next \(next.position)/\(next.total) \(next.name) — \(paused.verbs)")
                }
            }
            return text
        }
    }
}

extension ConsoleState {
    /// Traces `kind.hook` on `input` with the breakpoints set; a trace that stops at one becomes the
    /// step session.
    func trace(_ kind: String, _ hook: String, _ input: JSONValue, view: TraceText.View = TraceText.View()) async -> any CommandOutput {
        guard let registry else { return MessageOutput(message: "no plugin directory is loaded") }
        let walk = ChainStepper(tracer: ChainTracer(registry: registry, kind: kind, hook: hook), input: input, progress: progress)
        let run = await walk.run(.end, breakpoints: breakpoints(for: walk), checkFirst: true)
        if !walk.isFinished {
            countHit(run.pause)
            beginStepping(walk)
            debugger.walkView = view
        }
        settle(walk)
        return TraceCommand.Output(walk: walk, view: view)
    }

    func remember(_ trace: TraceResult) {
        lastTrace = trace
        lastTraceSteering = nil
    }
}
