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

    /// Checks `kind.hook` against its spec (a known kind must declare the hook with this class),
    /// then takes the active plugins that implement it.
    public init(registry: PluginRegistry, kind: String, hook: String, as dispatchClass: DispatchClass) throws(DagstackError) {
        self.kind = kind
        self.hook = hook
        self.dispatchClass = dispatchClass
        spec = try registry.kinds.check(kind: kind, hook: hook, dispatcher: dispatchClass)
        candidates = registry.candidates(kind: kind).filter { $0.implements(hook) }
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
