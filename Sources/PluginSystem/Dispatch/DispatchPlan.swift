import OrderedCollections
/// The plugins one dispatch will call, in order, after the hook's class has been checked.
public struct DispatchPlan: Sendable {
    public let kind: String
    public let hook: String
    public let dispatchClass: DispatchClass
    /// The hook's spec when the kind has one.
    public let spec: HookSpec?
    /// Active plugins of the kind that implement the hook, priority desc then name.
    public let candidates: [PluginRecord]
    /// Active middleware wrapping `kind.hook`, outermost first.
    public let middleware: [PluginRecord]
    let kindsGeneration: Int

    /// Checks `kind.hook` against its spec (a known kind must declare the hook with this class),
    /// then takes the active plugins that implement it. Plans are cached by the registry.
    public init(registry: PluginRegistry, kind: String, hook: String, as dispatchClass: DispatchClass) throws(DagstackError) {
        self = try registry.plan(kind: kind, hook: hook, as: dispatchClass)
    }

    init(building registry: PluginRegistry, kind: String, hook: String, as dispatchClass: DispatchClass) throws(DagstackError) {
        self.kind = kind
        self.hook = hook
        self.dispatchClass = dispatchClass
        kindsGeneration = registry.kinds.generation
        spec = try registry.kinds.check(kind: kind, hook: hook, dispatcher: dispatchClass)
        candidates = registry.candidates(kind: kind).filter { $0.implements(hook) }
        middleware = registry.middleware(kind: kind, hook: hook)
    }
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
