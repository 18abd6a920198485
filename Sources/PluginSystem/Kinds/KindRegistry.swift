import Synchronization

/// The hookspecs the runtime knows, loaded from a plugin directory's `kinds/` folder or registered
/// from code. A kind without a spec is dispatched with whatever class the caller names.
public final class KindRegistry: Sendable {
    private let specs = Mutex([String: KindSpec]())
    private let changes = Atomic<Int>(0)

    public init() {}

    /// Changes whenever a spec is added or removed, so cached dispatch plans know to rebuild.
    var generation: Int { changes.load(ordering: .acquiring) }

    public func register(_ spec: KindSpec) {
        specs.withLock { $0[spec.kind] = spec }
        changes.add(1, ordering: .releasing)
    }

    public func spec(for kind: String) -> KindSpec? { specs.withLock { $0[kind] } }

    public var all: [KindSpec] { specs.withLock { $0.values.sorted { $0.kind < $1.kind } } }

    public func removeAll() {
        specs.withLock { $0.removeAll() }
        changes.add(1, ordering: .releasing)
    }

    /// Checks that `hook` of `kind` may be dispatched with `requested`: a known kind must declare the
    /// hook, with that class.
    public func check(kind: String, hook: String, dispatcher requested: DispatchClass) throws(DagstackError) -> HookSpec? {
        guard let spec = spec(for: kind) else { return nil }
        guard let hookSpec = spec.hooks[hook] else {
            let available = spec.hooks.keys.map { "'\($0)'" }.joined(separator: ", ")
            throw DagstackError(.kindUnknown, "Kind '\(kind)' has no hook '\(hook)'. Available hooks: [\(available)]")
        }
        guard hookSpec.dispatch == requested else {
            throw DagstackError(
                .dispatchMismatch,
                "Hook '\(kind)'.'\(hook)' is declared as dispatch='\(hookSpec.dispatch.rawValue)', but it was dispatched as '\(requested.rawValue)'. Use a matching dispatcher or correct the hook's `dispatch:` in \(spec.source).")
        }
        return hookSpec
    }
}
