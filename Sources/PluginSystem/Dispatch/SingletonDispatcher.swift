import OrderedCollections
/// `singleton`: exactly one plugin answers. `DAGSTACK_ACTIVE_<KIND>` names it; otherwise the highest
/// priority wins; a tie at the top is `AmbiguousPlugin`; no plugin is `KindUnknown` (ADR-0002 §1).
public struct SingletonDispatcher: Sendable {
    public let registry: PluginRegistry

    public init(_ registry: PluginRegistry) { self.registry = registry }

    /// The environment variable that picks the active plugin of `kind`.
    public static func overrideVariable(for kind: String) -> String {
        "DAGSTACK_ACTIVE_" + String(kind.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    public func select(_ kind: String, _ hook: String) throws(DagstackError) -> PluginRecord {
        let plan = try registry.plan(kind: kind, hook: hook, as: .singleton)
        return try select(plan)
    }

    func select(_ plan: DispatchPlan) throws(DagstackError) -> PluginRecord {
        let kind = plan.kind
        let variable = Self.overrideVariable(for: kind)
        if let chosen = registry.environment[variable], !chosen.isEmpty {
            guard let record = plan.candidates.first(where: { $0.name == chosen }) else {
                let names = plan.candidates.map { "'\($0.name)'" }.joined(separator: ", ")
                throw DagstackError(
                    .kindUnknown,
                    "\(variable)=\(chosen) names no active plugin of kind '\(kind)' with hook '\(plan.hook)'; available: [\(names)]")
            }
            return record
        }
        guard let top = plan.candidates.first else {
            let all = registry.ordered(kind: kind)
            if all.isEmpty { throw DagstackError(.kindUnknown, "No plugins registered for kind '\(kind)'") }
            throw DagstackError(
                .kindUnknown,
                "No active plugin of kind '\(kind)' implements '\(plan.hook)' (registered: \(all.map { "\($0.name) [\($0.state.name)]" }.joined(separator: ", ")))")
        }
        let tied = plan.candidates.filter { $0.priority == top.priority }
        if tied.count > 1 {
            throw DagstackError(
                .ambiguousPlugin,
                "equal priority \(top.priority) for kind=\(kind) (\(tied.map(\.name).joined(separator: ", "))), set \(variable) to disambiguate")
        }
        return top
    }

    public func dispatch(
        _ kind: String, _ hook: String, _ arguments: HookArguments = HookArguments(), metadata: JSONObject = [:]
    ) async throws(DagstackError) -> PluginAnswer {
        let plan = try registry.plan(kind: kind, hook: hook, as: .singleton)
        let chosen = try select(plan)
        let reply = try await HookInvoker(registry: registry).call(chosen, kind: kind, hook: hook, arguments: arguments, metadata: metadata)
        return PluginAnswer(plugin: chosen.name, reply: reply)
    }
}
