/// A hook that cannot be dispatched as the plugins stand, found without calling any plugin.
public struct DispatchProblem: Sendable, Equatable {
    public let kind: String
    public let hook: String
    public let error: DagstackError
}

extension PluginRegistry {
    /// What ADR-0002 says stops the core from starting, found as soon as a directory is loaded rather
    /// than at the first call: a singleton hook whose top priority is tied, and a capability hook
    /// with two `fallback = true` plugins. Calls to such a hook still fail with the same error;
    /// `classes` gives the dispatch class of hooks whose kind has no hookspec (the console's guess).
    public func dispatchProblems(inferred classes: [(kind: String, hook: String, dispatch: DispatchClass)] = []) -> [DispatchProblem] {
        var hooks: [(kind: String, hook: String, dispatch: DispatchClass)] = []
        for spec in kinds.all {
            for hook in spec.hooks.values { hooks.append((spec.kind, hook.name, hook.dispatch)) }
        }
        hooks += classes.filter { kinds.spec(for: $0.kind) == nil }
        var problems: [DispatchProblem] = []
        for (kind, hook, dispatch) in hooks {
            guard let plan = try? plan(kind: kind, hook: hook, as: dispatch) else { continue }
            do {
                switch dispatch {
                case .singleton where !plan.candidates.isEmpty:
                    _ = try SingletonDispatcher(self).select(plan)
                case .capability:
                    _ = try CapabilityDispatcher.fallback(of: kind, among: plan.candidates)
                default:
                    break
                }
            } catch {
                problems.append(DispatchProblem(kind: kind, hook: hook, error: error))
            }
        }
        return problems
    }
}
