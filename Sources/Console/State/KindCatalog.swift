import PluginSystem

/// The kinds a user can work with and their hooks: from the hookspecs where a kind has one,
/// otherwise inferred from what its plugins implement.
struct KindCatalog {
    struct Hook {
        var name: String
        var dispatch: DispatchClass
        /// False when the class is a guess (no hookspec): one plugin → singleton, several → broadcast_collect.
        var fromSpec: Bool
        var spec: HookSpec?
        /// A middleware wrapper (`before`/`after` of a chain_wrap plugin), not a dispatched hook.
        var wrapper = false
    }

    let registry: PluginRegistry
    let kinds: [String]

    init(_ registry: PluginRegistry) {
        self.registry = registry
        kinds = Set(registry.kinds.all.map(\.kind) + registry.kindNames).sorted()
    }

    /// Capability probes and middleware wrappers are helpers, not hooks of the kind.
    static let helperHooks: Set<String> = ["matches"]

    func hooks(of kind: String) -> [Hook] {
        if let spec = registry.kinds.spec(for: kind) {
            return spec.hooks.values.map { Hook(name: $0.name, dispatch: $0.dispatch, fromSpec: true, spec: $0) }
        }
        let plugins = registry.ordered(kind: kind)
        if !plugins.isEmpty && plugins.allSatisfy(\.manifest.isMiddleware) {
            return ["before", "after"].map { Hook(name: $0, dispatch: .chain, fromSpec: false, spec: nil, wrapper: true) }
        }
        var implementers: [String: Int] = [:]
        for plugin in plugins {
            for hook in plugin.instance?.hookNames ?? [] where !Self.helperHooks.contains(hook) { implementers[hook, default: 0] += 1 }
        }
        return implementers.keys.sorted().map {
            Hook(name: $0, dispatch: implementers[$0]! > 1 ? .broadcastCollect : .singleton, fromSpec: false, spec: nil)
        }
    }

    /// `kind.hook` for every hook of every kind, for completion.
    var kindHooks: [String] { kinds.flatMap { kind in hooks(of: kind).filter { !$0.wrapper }.map { "\(kind).\($0.name)" } } }
}
