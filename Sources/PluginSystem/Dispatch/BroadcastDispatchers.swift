import OrderedCollections
/// What `broadcast_collect` gathered: every answer in dispatch order, and every failure.
public struct CollectOutcome: Sendable {
    public let answers: [PluginAnswer]
    public let errors: [DagstackError]
    /// The policy the collect ran under.
    public let policy: ErrorPolicy
    /// Plugins a `fail_fast` collect did not call because an earlier one failed, in dispatch order.
    public let notCalled: [String]

    /// The failures as one `BroadcastErrors`, or nil when every plugin answered.
    public var error: DagstackError? {
        guard !errors.isEmpty else { return nil }
        let summary = errors.map { "\($0.plugin ?? "?"): \($0.message)" }.joined(separator: "; ")
        return DagstackError(.broadcastErrors, "broadcast dispatch raised in \(errors.count) plugin(s): \(summary)", errors: errors)
    }
}

/// `broadcast_collect`: plugins are called in priority order and their results kept, under the
/// hook's `error_policy` (ADR-0002 §2): `fail_fast` — the default, also for a kind without a
/// hookspec — stops at the first failure and reports the plugins it did not call; `best_effort`
/// records the failure and goes on (what the reference always does).
public struct BroadcastCollectDispatcher: Sendable {
    public let registry: PluginRegistry
    /// A policy that wins over the hookspec's (the differential test runs both against the reference).
    public let policy: ErrorPolicy?

    public init(_ registry: PluginRegistry, policy: ErrorPolicy? = nil) {
        self.registry = registry
        self.policy = policy
    }

    public func dispatch(
        _ kind: String, _ hook: String, _ arguments: HookArguments = HookArguments(), metadata: JSONObject = [:]
    ) async throws(DagstackError) -> CollectOutcome {
        let plan = try registry.plan(kind: kind, hook: hook, as: .broadcastCollect)
        let policy = policy ?? plan.spec?.errorPolicy ?? .default
        let (answers, errors, notCalled) = await callEach(
            plan, arguments, metadata: metadata, registry: registry, label: "broadcast_collect", stopAtFailure: policy == .failFast)
        return CollectOutcome(answers: answers, errors: errors, policy: policy, notCalled: notCalled)
    }
}

/// What `broadcast_notify` did: who was told, and who failed (logged, never raised).
public struct NotifyOutcome: Sendable {
    public let notified: [PluginAnswer]
    public let errors: [DagstackError]
}

/// `broadcast_notify`: every plugin is told, sequentially in priority order; failures are logged and
/// suppressed; there is no result.
public struct BroadcastNotifyDispatcher: Sendable {
    public let registry: PluginRegistry

    public init(_ registry: PluginRegistry) { self.registry = registry }

    @discardableResult
    public func dispatch(
        _ kind: String, _ hook: String, _ arguments: HookArguments = HookArguments(), metadata: JSONObject = [:]
    ) async throws(DagstackError) -> NotifyOutcome {
        let plan = try registry.plan(kind: kind, hook: hook, as: .broadcastNotify)
        let (notified, errors, _) = await callEach(
            plan, arguments, metadata: metadata, registry: registry, label: "broadcast_notify", stopAtFailure: false)
        return NotifyOutcome(notified: notified, errors: errors)
    }
}

/// Both broadcasts: every candidate in order; failures are logged and either skipped or, with
/// `stopAtFailure`, the end of the dispatch (the plugins not called are returned).
private func callEach(
    _ plan: DispatchPlan, _ arguments: HookArguments, metadata: JSONObject, registry: PluginRegistry, label: String,
    stopAtFailure: Bool
) async -> (answers: [PluginAnswer], errors: [DagstackError], notCalled: [String]) {
    let invoker = HookInvoker(registry: registry)
    var answers: [PluginAnswer] = []
    var errors: [DagstackError] = []
    for (index, plugin) in plan.candidates.enumerated() {
        do {
            let reply = try await invoker.call(plugin, kind: plan.kind, hook: plan.hook, arguments: arguments, metadata: metadata)
            answers.append(PluginAnswer(plugin: plugin.name, reply: reply))
        } catch {
            registry.logger.error("\(label): plugin '\(plugin.name)' raised in \(plan.kind).\(plan.hook): \(error.message)")
            errors.append(error)
            if stopAtFailure { return (answers, errors, plan.candidates[(index + 1)...].map(\.name)) }
        }
    }
    return (answers, errors, [])
}
