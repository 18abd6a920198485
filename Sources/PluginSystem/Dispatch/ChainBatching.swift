import OrderedCollections

/// A plugin whose host can run several consecutive chain stages in one exchange (the Python host:
/// one round trip for a whole chain of Python plugins instead of one per stage).
public protocol ChainBatchingPlugin: Plugin {
    /// Plugins with the same group can be batched together.
    var batchGroup: ObjectIdentifier { get }
    /// Runs `plugins` in order on `value` — each stage's output is the next one's input — stopping
    /// after STOP_CHAIN or an error. Returns every stage that ran, or nil when the batch could not run
    /// as a whole (the dispatcher then runs the stages one by one, so a failure names its plugin).
    func callChain(
        _ plugins: [String], kind: String, hook: String, value: JSONValue, named: JSONObject, metadata: JSONObject
    ) async -> [BatchedStage]?
}

/// One stage of a batch: what it returned or raised, what it printed, how long it took.
public struct BatchedStage: Sendable {
    public var plugin: String
    public var result: Result<HookReply, DagstackError>
    public var duration: Duration

    public init(plugin: String, result: Result<HookReply, DagstackError>, duration: Duration) {
        self.plugin = plugin
        self.result = result
        self.duration = duration
    }
}

extension ChainDispatcher {
    /// Whether the next stages could run as one batch: cheap enough to ask for every stage.
    static func canBatch(_ stages: ArraySlice<PluginRecord>, _ plan: DispatchPlan) -> Bool {
        guard plan.middleware.isEmpty, stages.count > 1, let group = stages.first?.storage.batchGroup else { return false }
        return stages[stages.index(after: stages.startIndex)].storage.batchGroup == group
    }

    /// Runs as many of `stages` as one batch can take — consecutive stages of the same batching
    /// host, when no middleware wraps the hook (it must run between stages) — with each stage's
    /// output checked against the hook's schema and reported to observers as if called alone.
    /// Nil when the first stages cannot be batched.
    public func runBatch(
        _ stages: ArraySlice<PluginRecord>, in plan: DispatchPlan, value: JSONValue, named: JSONObject = [:],
        metadata: JSONObject = [:]
    ) async -> [(stage: PluginRecord, result: Result<HookReply, DagstackError>, duration: Duration)]? {
        guard Self.canBatch(stages, plan), let host = stages.first?.instance as? ChainBatchingPlugin else { return nil }
        let group = stages.first?.storage.batchGroup
        let batch = Array(stages.prefix { $0.storage.batchGroup == group })
        guard
            let ran = await host.callChain(batch.map(\.name), kind: plan.kind, hook: plan.hook, value: value, named: named, metadata: metadata)
        else { return nil }
        let observers = registry.observers
        var outcomes: [(stage: PluginRecord, result: Result<HookReply, DagstackError>, duration: Duration)] = []
        var input = value
        for (stage, done) in zip(batch, ran) {
            var result = done.result
            if case .success(let reply) = result, case .value(let output) = reply.output, let violation = schemaViolation(stage, plan, output, nothing: reply.returnedNothing) {
                result = .failure(violation)
            }
            if case .failure(let error) = result, error.pluginStopped { registry.markFailed(stage.name, error) }
            for observer in observers {
                observer.hookDidRun(HookEvent(
                    plugin: stage.name, kind: plan.kind, hook: plan.hook, role: .hook, arguments: HookArguments([input], named: named),
                    outcome: result, duration: done.duration))
            }
            outcomes.append((stage, result, done.duration))
            guard case .success(let reply) = result, case .value(let output) = reply.output else { break }
            input = output
        }
        return outcomes
    }
}
