import OrderedCollections
/// What `broadcast_collect` gathered: every answer in dispatch order, and every failure.
public struct CollectOutcome: Sendable {
    public let answers: [PluginAnswer]
    public let errors: [DagstackError]

    /// The failures as one `BroadcastErrors`, or nil when every plugin answered.
    public var error: DagstackError? {
        guard !errors.isEmpty else { return nil }
        let summary = errors.map { "\($0.plugin ?? "?"): \($0.message)" }.joined(separator: "; ")
        return DagstackError(.broadcastErrors, "broadcast dispatch raised in \(errors.count) plugin(s): \(summary)", errors: errors)
    }
}

/// `broadcast_collect`: every plugin is called in priority order and every result is kept; a
/// failing plugin is recorded and the others still run (continue-on-failure, as the reference).
public struct BroadcastCollectDispatcher: Sendable {
    public let registry: PluginRegistry

    public init(_ registry: PluginRegistry) { self.registry = registry }

    public func dispatch(
        _ kind: String, _ hook: String, _ arguments: HookArguments = HookArguments(), metadata: JSONObject = [:]
    ) async throws(DagstackError) -> CollectOutcome {
        let plan = try registry.plan(kind: kind, hook: hook, as: .broadcastCollect)
        let (answers, errors) = await callEach(plan, arguments, metadata: metadata, registry: registry, label: "broadcast_collect")
        return CollectOutcome(answers: answers, errors: errors)
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
        let (notified, errors) = await callEach(plan, arguments, metadata: metadata, registry: registry, label: "broadcast_notify")
        return NotifyOutcome(notified: notified, errors: errors)
    }
}

/// Both broadcasts: every candidate in order, continuing past failures, which are logged.
private func callEach(
    _ plan: DispatchPlan, _ arguments: HookArguments, metadata: JSONObject, registry: PluginRegistry, label: String
) async -> (answers: [PluginAnswer], errors: [DagstackError]) {
    let invoker = HookInvoker(registry: registry)
    var answers: [PluginAnswer] = []
    var errors: [DagstackError] = []
    for plugin in plan.candidates {
        do {
            let reply = try await invoker.call(plugin, kind: plan.kind, hook: plan.hook, arguments: arguments, metadata: metadata)
            answers.append(PluginAnswer(plugin: plugin.name, reply: reply))
        } catch {
            registry.logger.error("\(label): plugin '\(plugin.name)' raised in \(plan.kind).\(plan.hook): \(error.message)")
            errors.append(error)
        }
    }
    return (answers, errors)
}
