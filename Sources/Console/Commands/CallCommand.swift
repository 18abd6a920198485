import Inspector
import PluginSystem

/// `call KIND.HOOK [JSON]`: dispatch any hook with its class and show who answered and what.
enum CallCommand {
    static let usage = "call KIND.HOOK [JSON|example[N]|@FILE]"

    static let spec = CommandSpec(
        name: "call", usage: usage, summary: "dispatch a hook with its class and show the answers",
        help: """
            Dispatches KIND.HOOK with the class its hookspec gives (or the inferred one, see `kinds`):
            singleton, broadcast_collect, broadcast_notify, capability or chain. A broadcast_collect honours
            its hook's error_policy: fail_fast (the default) stops at the first failure, lists the plugins
            it did not call and fails the command; best_effort goes on and returns what it could collect. A JSON object is passed
            as named arguments (call chunker.chunk {"text": "Hello, dagstack!", "max_size": 5}), an array
            as positional ones, any other value as the single argument; a chain gets JSON as its input
            (and stops at breakpoints, going on as a step session, as a trace does). JSON may also be
            @FILE or example[N] (the hookspec's examples). `why PLUGIN` explains the answer afterwards.
            """,
        arguments: [.kindHook, .chainInput],
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            let (word, rest) = try args.split()
            let (kind, hook) = try args.kindHook(word, registry: registry, usage: usage)
            let value = try rest.inputValue(kind: kind, hook: hook, registry: registry, usage: usage, required: false)
            let dispatch = KindCatalog(registry).hooks(of: kind).first { $0.name == hook }!.dispatch
            var arguments = HookArguments()
            switch value {
            case .object(let o)?: arguments.named = o
            case .array(let a)?: arguments.positional = a
            case let v?: arguments.positional = [v]
            case nil: break
            }
            var output = Output(kind: kind, hook: hook, dispatch: dispatch)
            if dispatch == .chain { return await console.callChain(kind, hook, value ?? .null, output) }
            // Watch the calls: `why` explains them afterwards, the progress line shows them.
            var record = DispatchRecord(kind: kind, hook: hook, dispatchClass: dispatch, arguments: arguments)
            let watcher = DispatchWatcher(kind: kind, hook: hook, progress: await console.progress)
            let token = registry.addObserver(watcher)
            defer { registry.removeObserver(token) }
            do {
                switch dispatch {
                case .singleton:
                    output.answers = [try await SingletonDispatcher(registry).dispatch(kind, hook, arguments)]
                case .broadcastCollect:
                    let outcome = try await BroadcastCollectDispatcher(registry).dispatch(kind, hook, arguments)
                    (output.answers, output.errors) = (outcome.answers, outcome.errors)
                    (output.errorPolicy, output.notCalled) = (outcome.policy, outcome.notCalled)
                    // fail_fast: the caller gets the error (ADR-0002 §2); best_effort: a partial result.
                    if outcome.policy == .failFast, let error = outcome.error {
                        output.failed = true
                        output.collectError = error
                    }
                case .broadcastNotify:
                    let outcome = try await BroadcastNotifyDispatcher(registry).dispatch(kind, hook, arguments)
                    (output.answers, output.errors) = (outcome.notified, outcome.errors)
                case .capability:
                    let outcome = try await CapabilityDispatcher(registry).dispatch(kind, hook, arguments)
                    output.answers = [PluginAnswer(plugin: outcome.plugin, reply: outcome.reply)]
                    output.errors = outcome.matchErrors
                    output.matchedBy = switch outcome.matchedBy {
                    case .matches: "matches()"
                    case .supports(let tag): tag
                    case .fallback: "fallback"
                    }
                    (record.chosen, record.matchedBy) = (outcome.plugin, outcome.matchedBy)
                case .chain:
                    break
                }
            } catch {
                let failure = error as? DagstackError ?? DagstackError(.pluginError, "\(error)")
                output.errors.append(failure)
                output.failed = true
                record.error = failure
            }
            watcher.fill(&record)
            record.notCalled = output.notCalled
            await console.recordDispatch(record)
            return output
        })

    struct Output: CommandOutput {
        var kind: String
        var hook: String
        var dispatch: DispatchClass
        var answers: [PluginAnswer] = []
        var errors: [DagstackError] = []
        var matchedBy: String?
        var chainOutput: JSONValue?
        var stoppedBy: String?
        var errorPolicy: ErrorPolicy?
        /// A fail_fast collect that failed: the caller's error (BroadcastErrors), as ADR-0002 gives it.
        var collectError: DagstackError?
        /// Plugins a fail_fast collect did not call after a failure.
        var notCalled: [String] = []
        /// The dispatch itself raised (as opposed to per-plugin errors a broadcast collects).
        var failed = false
        /// A chain call that a breakpoint stopped: it goes on as a step session.
        var paused: WalkOutput?

        var succeeded: Bool { paused?.succeeded ?? !failed }
        var pluginFailures: [DagstackError] { errors + (paused?.stages.compactMap(\.error) ?? []) }

        var json: JSONObject {
            var o: JSONObject = [
                "kind": .string(kind), "hook": .string(hook), "dispatch": .string(dispatch.rawValue),
                "answers": .array(answers.map { a in
                    var ao: JSONObject = ["plugin": .string(a.plugin)]
                    switch a.reply.output {
                    case .value(let v): ao["value"] = v
                    case .stopChain: ao["stop_chain"] = true
                    }
                    if let nothing = a.reply.returnedNothing { ao["returned_nothing"] = TraceJSON.nothingJSON(nothing) }
                    ao["logs"] = .array(a.reply.logs.map(LogJSON.json))
                    return .object(ao)
                }),
                "errors": .array(errors.map(ErrorJSON.json)),
            ]
            if let matchedBy { o["matched_by"] = .string(matchedBy) }
            if let collectError { o["error"] = ErrorJSON.json(collectError) }
            if let errorPolicy {
                o["error_policy"] = .string(errorPolicy.rawValue)
                o["not_called"] = .array(notCalled.map(JSONValue.string))
            }
            if dispatch == .chain {
                o["output"] = chainOutput ?? .null
                o["stopped_by"] = stoppedBy.map(JSONValue.string) ?? .null
            }
            if let paused {
                o["paused"] = paused.pause.map(WalkText.pauseJSON) ?? .null
                o["next"] = paused.json["next"]
            }
            return o
        }

        func text(_ style: TextStyle) -> String {
            var lines = [style.bold("call \(kind).\(hook)") + "  " + style.cyan(dispatch.rawValue) + (matchedBy.map { style.dim("  matched by \($0)") } ?? "")]
            for answer in answers {
                let value = switch answer.reply.output {
                case .value(let v): ValueText.short(v, limit: 400)
                case .stopChain: style.yellow("STOP_CHAIN")
                }
                // null on the wire, but the plugin returned nothing: said in its language's words.
                let nothing = answer.reply.returnedNothing.map { style.dim("  (\($0.returned))") } ?? ""
                lines.append("  " + pad(answer.plugin, 18) + value + nothing)
                for log in answer.reply.logs { lines.append("      " + LogJSON.text(log, style)) }
            }
            if answers.isEmpty && errors.isEmpty { lines.append(style.dim("  no plugin answered")) }
            if let chainOutput {
                lines.append("  " + style.dim("output ") + ValueText.short(chainOutput) + TraceText.stoppedBy(stoppedBy, style))
            }
            for error in errors { lines.append(ErrorJSON.text(error, style, indent: "  ")) }
            for name in notCalled {
                lines.append("  " + pad(name, 18) + style.dim("not called (error_policy fail_fast: an earlier plugin failed)"))
            }
            if let paused, let pause = paused.pause {
                lines.append(WalkText.pauseLine(pause, style))
                if let next = paused.upcoming {
                    lines.append(style.dim("stepping: \(paused.halted ? "at" : "next") \(next.position)/\(next.total) \(next.name) — \(paused.verbs)"))
                }
            }
            return lines.joined(separator: "\n")
        }
    }
}

extension ConsoleState {
    /// A chain call runs as a walk, so it stops at breakpoints as a trace does.
    func callChain(_ kind: String, _ hook: String, _ input: JSONValue, _ empty: CallCommand.Output) async -> any CommandOutput {
        guard let registry else { return empty }
        let walk = ChainStepper(tracer: ChainTracer(registry: registry, kind: kind, hook: hook), input: input, progress: progress)
        let run = await walk.run(.end, breakpoints: breakpoints(for: walk), checkFirst: true)
        if !walk.isFinished {
            countHit(run.pause)
            beginStepping(walk)
        }
        settle(walk)
        return CallCommand.Output(chain: walk, empty)
    }
}

extension CallCommand.Output {
    /// What a chain call prints for a walk as it stands: its answers are the stages that ran (with
    /// what their middleware wrote, as a dispatch reports it), and where it stopped if it did.
    init(chain walk: ChainStepper, _ empty: CallCommand.Output) {
        self = empty
        let result = walk.result
        for stage in result.stages where stage.ran && stage.status != .error {
            let logs = stage.middleware.filter { $0.hook == "before" }.flatMap(\.logs) + stage.logs
                + stage.middleware.filter { $0.hook == "after" }.flatMap(\.logs)
            let reply = HookReply(stage.status == .stopped ? .stopChain : .value(stage.after ?? .null), logs: logs, returnedNothing: stage.returnedNothing)
            answers.append(PluginAnswer(plugin: stage.plugin, reply: reply))
        }
        if let error = result.error {
            // As the dispatcher reports a chain that raised: the error, and no answer.
            answers = []
            errors.append(error)
            failed = true
        }
        if walk.isFinished {
            chainOutput = result.output
            stoppedBy = result.stoppedBy
        } else {
            paused = WalkOutput(event: .ran, walk: walk, stages: [])
        }
    }
}
