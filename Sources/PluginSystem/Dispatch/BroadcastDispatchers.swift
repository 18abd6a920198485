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
        let plan = try DispatchPlan(registry: registry, kind: kind, hook: hook, as: .broadcastCollect)
        let invoker = HookInvoker(registry: registry)
        var answers: [PluginAnswer] = []
        var errors: [DagstackError] = []
        for plugin in plan.candidates {
            do {
                let reply = try await invoker.call(plugin, kind: kind, hook: hook, arguments: arguments, metadata: metadata)
                answers.append(PluginAnswer(plugin: plugin.name, reply: reply))
            } catch {
                registry.logger.error("broadcast_collect: plugin '\(plugin.name)' raised in \(kind).\(hook): \(error.message)")
                errors.append(error)
            }
        }
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
        let plan = try DispatchPlan(registry: registry, kind: kind, hook: hook, as: .broadcastNotify)
        let invoker = HookInvoker(registry: registry)
        var notified: [PluginAnswer] = []
        var errors: [DagstackError] = []
        for plugin in plan.candidates {
            do {
                let reply = try await invoker.call(plugin, kind: kind, hook: hook, arguments: arguments, metadata: metadata)
                notified.append(PluginAnswer(plugin: plugin.name, reply: reply))
            } catch {
                registry.logger.error("broadcast_notify: plugin '\(plugin.name)' raised in \(kind).\(hook) (suppressed): \(error.message)")
                errors.append(error)
            }
        }
        return NotifyOutcome(notified: notified, errors: errors)
    }
}
