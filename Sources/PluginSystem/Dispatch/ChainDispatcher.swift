import OrderedCollections
/// What a chain returned and how it ended.
public struct ChainOutcome: Sendable {
    public let value: JSONValue
    /// The plugin that returned STOP_CHAIN, if one did.
    public let stoppedBy: String?
    /// The plugins that ran, in order, with what each returned, printed or logged; empty when the
    /// dispatch was asked not to keep them.
    public let answers: [PluginAnswer]
}

/// `chain`: the value is threaded through the plugins in priority order (desc, ties by name).
/// STOP_CHAIN ends the chain and the value from before that stage is the result; an error ends it
/// and propagates naming the plugin; with no plugins the initial value comes back.
public struct ChainDispatcher: Sendable {
    public let registry: PluginRegistry

    public init(_ registry: PluginRegistry) { self.registry = registry }

    public func plan(_ kind: String, _ hook: String) throws(DagstackError) -> DispatchPlan {
        try registry.plan(kind: kind, hook: hook, as: .chain)
    }

    /// Runs the chain. With `keepAnswers: false` only the final value comes back (as from the
    /// reference's dispatcher); stages that change the value in place (`ChainStage`) then work on
    /// the one value the dispatch owns instead of copying it per stage.
    public func dispatch(
        _ kind: String, _ hook: String, initial: consuming JSONValue, named: JSONObject = [:], metadata: JSONObject = [:],
        keepAnswers: Bool = true
    ) async throws(DagstackError) -> ChainOutcome {
        let plan = try plan(kind, hook)
        let observers = registry.observers
        if !keepAnswers, named.isEmpty, observers.isEmpty, let stages = plan.inPlaceStages {
            return try runInPlace(stages, plan, value: initial, metadata: metadata)
        }
        // Nothing watches or wraps the calls: synchronous stages run straight in this loop.
        let direct = observers.isEmpty && plan.middleware.isEmpty && plan.spec?.outputSchema == nil
        var value = initial
        var answers: [PluginAnswer] = []
        if keepAnswers { answers.reserveCapacity(plan.candidates.count) }
        var index = 0
        while index < plan.candidates.count {
            let stage = plan.candidates[index]
            if Self.canBatch(plan.candidates[index...], plan),
                let batch = await runBatch(plan.candidates[index...], in: plan, value: value, named: named, metadata: metadata)
            {
                for (ran, result, _) in batch {
                    let reply = try result.get()
                    if keepAnswers { answers.append(PluginAnswer(plugin: ran.name, reply: reply)) }
                    switch reply.output {
                    case .stopChain: return ChainOutcome(value: value, stoppedBy: ran.name, answers: answers)
                    case .value(let next): value = next
                    }
                }
                index += batch.count
                continue
            }
            index += 1
            let reply: HookReply
            if direct, let body = stage.storage.instance?.synchronousHook(hook) {
                reply = try Self.runDirect(body, stage, kind: kind, hook: hook, value: value, named: named, metadata: metadata)
            } else {
                reply = try await run(stage, in: plan, value: value, named: named, metadata: metadata, observers: observers)
            }
            if keepAnswers { answers.append(PluginAnswer(plugin: stage.name, reply: reply)) }
            switch reply.output {
            case .stopChain:
                registry.logger.debug("chain stopped by \(stage.name) in \(kind).\(hook) — remaining plugins skipped")
                return ChainOutcome(value: value, stoppedBy: stage.name, answers: answers)
            case .value(let next):
                value = next
            }
        }
        return ChainOutcome(value: value, stoppedBy: nil, answers: answers)
    }

    /// The hook's output schema, when the kind declares one, checked against a stage's output. A hook
    /// that returned nothing is said to have, in its language's words, not to have returned null.
    func schemaViolation(_ stage: PluginRecord, _ plan: DispatchPlan, _ output: JSONValue, nothing: ReturnedNothing? = nil) -> DagstackError? {
        guard let schema = plan.spec?.outputSchema, let first = schema.validate(output).first else { return nil }
        let where_ = first.path.isEmpty ? "" : " at \(first.path)"
        let what = nothing.map(\.returned) ?? "returned \(first.received)\(where_)"
        var message = "Plugin '\(stage.name)' \(what), expected \(first.expected) (\(plan.kind).\(plan.hook) output_schema \(schema.source))"
        if nothing?.inputChanged == true { message += "; it changed its input in place, but a chain passes on what a hook returns — `return` the value" }
        var error = DagstackError(.dispatchMismatch, message, plugin: stage.name)
        error.returned = output
        error.returnedNothing = nothing
        return error
    }

    /// The hook's input schema, when the kind declares one, checked against the chain's input: input
    /// that breaks it is the caller's fault, not the first stage's (which would otherwise be blamed
    /// for passing it on).
    public func inputViolation(_ plan: DispatchPlan, _ input: JSONValue) -> DagstackError? {
        guard let schema = plan.spec?.inputSchema, let first = schema.validate(input).first else { return nil }
        let where_ = first.path.isEmpty ? "" : " at \(first.path)"
        return DagstackError(
            .dispatchMismatch,
            "input does not match \(plan.spec?.inputSchemaPath ?? schema.source)\(where_): expected \(first.expected), got \(first.received) (\(plan.kind).\(plan.hook) input_schema)")
    }

    /// The whole chain on one value, each stage changing it where it lies.
    func runInPlace(
        _ stages: [InPlaceStage], _ plan: DispatchPlan, value initial: consuming JSONValue, metadata: JSONObject
    ) throws(DagstackError) -> ChainOutcome {
        var value = consume initial
        for index in stages.indices {
            let step: ChainStep
            do {
                step = try metadata.isEmpty
                    ? stages[index].body(&value, stages[index].context)
                    : stages[index].body(&value, HookContext(
                        plugin: stages[index].record.name, kind: plan.kind, hook: plan.hook, metadata: metadata,
                        resources: stages[index].record.storage.resources))
            } catch {
                throw DagstackError.from(error, plugin: stages[index].record.name, during: "\(plan.kind).\(plan.hook)")
            }
            if step == .stopChain {
                let name = stages[index].record.name
                registry.logger.debug("chain stopped by \(name) in \(plan.kind).\(plan.hook) — remaining plugins skipped")
                return ChainOutcome(value: value, stoppedBy: name, answers: [])
            }
        }
        return ChainOutcome(value: value, stoppedBy: nil, answers: [])
    }

    static func runDirect(
        _ body: SynchronousHook, _ stage: PluginRecord, kind: String, hook: String, value: JSONValue, named: JSONObject,
        metadata: JSONObject
    ) throws(DagstackError) -> HookReply {
        let context = HookContext(plugin: stage.name, kind: kind, hook: hook, metadata: metadata, resources: stage.storage.resources)
        do {
            return HookReply(try body(HookArguments([value], named: named), context))
        } catch {
            throw DagstackError.from(error, plugin: stage.name, during: "\(kind).\(hook)")
        }
    }

    /// Runs one stage: the stage's hook inside its middleware, then the hook's output schema, when
    /// the kind declares one (seed 004: "DispatchMismatch: plugin returned type X, expected Y").
    /// The console's stepper drives a chain stage by stage through this.
    public func run(
        _ stage: PluginRecord, in plan: DispatchPlan, value: JSONValue, named: JSONObject = [:], metadata: JSONObject = [:]
    ) async throws(DagstackError) -> HookReply {
        try await run(stage, in: plan, value: value, named: named, metadata: metadata, observers: registry.observers)
    }

    func run(
        _ stage: PluginRecord, in plan: DispatchPlan, value: JSONValue, named: JSONObject, metadata: JSONObject,
        observers: [any HookObserver]
    ) async throws(DagstackError) -> HookReply {
        let reply = try await HookInvoker(registry: registry).call(
            stage, kind: plan.kind, hook: plan.hook, arguments: HookArguments([value], named: named), metadata: metadata,
            middleware: plan.middleware, observers: observers)
        if case .value(let output) = reply.output, let violation = schemaViolation(stage, plan, output, nothing: reply.returnedNothing) { throw violation }
        return reply
    }
}
