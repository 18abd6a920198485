import PluginSystem

/// `call KIND.HOOK [JSON]`: dispatch any hook with its class and show who answered and what.
enum CallCommand {
    static let usage = "call KIND.HOOK [JSON]"

    static let spec = CommandSpec(
        name: "call", usage: usage, summary: "dispatch a hook with its class and show the answers",
        help: """
            Dispatches KIND.HOOK with the class its hookspec gives (or the inferred one, see `kinds`):
            singleton, broadcast_collect, broadcast_notify, capability or chain. A broadcast_collect honours
            its hook's error_policy: fail_fast (the default) stops at the first failure, lists the plugins
            it did not call and fails the command; best_effort goes on and returns what it could collect. A JSON object is passed
            as named arguments (call chunker.chunk {"text": "Hello, dagstack!", "max_size": 5}), an array
            as positional ones, any other value as the single argument; a chain gets JSON as its input.
            """,
        arguments: [.kindHook],
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            let (word, rest) = try args.split()
            let (kind, hook) = try args.kindHook(word, registry: registry, usage: usage)
            let value = try rest.json(required: false, usage: usage)
            let dispatch = KindCatalog(registry).hooks(of: kind).first { $0.name == hook }!.dispatch
            var arguments = HookArguments()
            switch value {
            case .object(let o)?: arguments.named = o
            case .array(let a)?: arguments.positional = a
            case let v?: arguments.positional = [v]
            case nil: break
            }
            var output = Output(kind: kind, hook: hook, dispatch: dispatch)
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
                case .chain:
                    let dispatcher = ChainDispatcher(registry)
                    if let refused = dispatcher.inputViolation(try dispatcher.plan(kind, hook), value ?? .null) { throw refused }
                    let outcome = try await dispatcher.dispatch(kind, hook, initial: value ?? .null)
                    output.answers = outcome.answers
                    output.chainOutput = outcome.value
                    output.stoppedBy = outcome.stoppedBy
                }
            } catch {
                output.errors.append(error as? DagstackError ?? DagstackError(.pluginError, "\(error)"))
                output.failed = true
            }
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

        var succeeded: Bool { !failed }

        var json: JSONObject {
            var o: JSONObject = [
                "kind": .string(kind), "hook": .string(hook), "dispatch": .string(dispatch.rawValue),
                "answers": .array(answers.map { a in
                    var ao: JSONObject = ["plugin": .string(a.plugin)]
                    switch a.reply.output {
                    case .value(let v): ao["value"] = v
                    case .stopChain: ao["stop_chain"] = true
                    }
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
            return o
        }

        func text(_ style: TextStyle) -> String {
            var lines = [style.bold("call \(kind).\(hook)") + "  " + style.cyan(dispatch.rawValue) + (matchedBy.map { style.dim("  matched by \($0)") } ?? "")]
            for answer in answers {
                let value = switch answer.reply.output {
                case .value(let v): ValueText.short(v, limit: 400)
                case .stopChain: style.yellow("STOP_CHAIN")
                }
                lines.append("  " + pad(answer.plugin, 18) + value)
                for log in answer.reply.logs { lines.append("      " + LogJSON.text(log, style)) }
            }
            if answers.isEmpty && errors.isEmpty { lines.append(style.dim("  no plugin answered")) }
            if let chainOutput {
                lines.append("  " + style.dim("output ") + ValueText.short(chainOutput) + (stoppedBy.map { style.yellow("  (stopped by \($0))") } ?? ""))
            }
            for error in errors { lines.append(ErrorJSON.text(error, style, indent: "  ")) }
            for name in notCalled {
                lines.append("  " + pad(name, 18) + style.dim("not called (error_policy fail_fast: an earlier plugin failed)"))
            }
            return lines.joined(separator: "\n")
        }
    }
}
