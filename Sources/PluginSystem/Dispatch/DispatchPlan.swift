import OrderedCollections
/// The plugins one dispatch will call, in order, after the hook's class has been checked. Plans
/// are cached by the registry (`PluginRegistry.plan`) and shared: a class, so handing one to a
/// dispatch costs one reference count.
public final class DispatchPlan: Sendable {
    public let kind: String
    public let hook: String
    public let dispatchClass: DispatchClass
    /// The hook's spec when the kind has one.
    public let spec: HookSpec?
    /// Active plugins of the kind that implement the hook, priority desc then name.
    public let candidates: [PluginRecord]
    /// Active middleware wrapping `kind.hook`, outermost first.
    public let middleware: [PluginRecord]
    /// For a chain that every candidate runs in place, with nothing between the stages (no
    /// middleware, no output schema to check): their bodies, looked up once per plan.
    let inPlaceStages: [InPlaceStage]?
    let kindsGeneration: Int

    /// Checks `kind.hook` against its spec (a known kind must declare the hook with this class),
    /// then takes the active plugins that implement it.
    init(building registry: PluginRegistry, kind: String, hook: String, as dispatchClass: DispatchClass) throws(DagstackError) {
        self.kind = kind
        self.hook = hook
        self.dispatchClass = dispatchClass
        kindsGeneration = registry.kinds.generation
        spec = try registry.kinds.check(kind: kind, hook: hook, dispatcher: dispatchClass)
        candidates = registry.candidates(kind: kind).filter { $0.implements(hook) }
        middleware = registry.middleware(kind: kind, hook: hook)
        let stages = dispatchClass == .chain && middleware.isEmpty && spec?.outputSchema == nil
            ? candidates.compactMap { record in
                record.instance?.chainStage(hook).map {
                    InPlaceStage(record: record, body: $0, context: HookContext(
                        plugin: record.name, kind: kind, hook: hook, metadata: [:], resources: record.storage.resources))
                }
            } : []
        inPlaceStages = stages.count == candidates.count && !candidates.isEmpty ? stages : nil
    }
}

/// One stage of an in-place chain, with the context it gets when the dispatch carries no metadata
/// (built once per plan rather than once per stage run).
struct InPlaceStage: Sendable {
    let record: PluginRecord
    let body: ChainStage
    let context: HookContext
}

/// One plugin's answer in a multi-plugin dispatch.
public struct PluginAnswer: Sendable {
    public let plugin: String
    public let reply: HookReply

    public init(plugin: String, reply: HookReply) {
        self.plugin = plugin
        self.reply = reply
    }
}
