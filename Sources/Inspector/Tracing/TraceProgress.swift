import PluginSystem

/// What is running now in a traced chain, for a live progress display.
public struct TraceActivity: Sendable, Equatable {
    public var kind: String
    public var hook: String
    /// The plugin whose code runs: the stage's own, or a middleware's around it.
    public var plugin: String
    /// The hook it runs: the chain's hook for a stage, `before`/`after` for middleware.
    public var call: String
    /// The stage's place in the chain (1-based) and the chain's length.
    public var position: Int
    public var total: Int
    /// The stage a middleware call wraps; nil for the stage's own call.
    public var around: String?
    /// Several stages run in one exchange (a batching host): their plugins, in order.
    public var batch: [String] = []
    /// Where a longer job stands (`run 37/100` while timing).
    public var label: String?

    public init(kind: String, hook: String, plugin: String, call: String, position: Int, total: Int, around: String? = nil, batch: [String] = []) {
        self.kind = kind
        self.hook = hook
        self.plugin = plugin
        self.call = call
        self.position = position
        self.total = total
        self.around = around
        self.batch = batch
    }
}

/// Told when each call of a traced chain starts and ends (calls nest: a call a plugin makes to
/// another plugin starts and ends inside its own). The console draws its status line from this.
public protocol TraceProgress: Sendable {
    func started(_ activity: TraceActivity)
    func ended()
}
