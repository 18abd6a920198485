/// Which part a call played in a dispatch.
public enum HookRole: Sendable, Equatable {
    /// The plugin's own hook.
    case hook
    /// A middleware's `before` around the named plugin's call.
    case middlewareBefore(wrapping: String)
    /// A middleware's `after` around the named plugin's call.
    case middlewareAfter(wrapping: String)
    /// A capability plugin's `matches` probe.
    case matches
    /// A hook the named plugin's code called while its own call was in progress (through
    /// `ctx.registry.get_plugin(...)` of a plugin in another runtime).
    case nested(calledBy: String)
}

/// One finished hook call, as observers see it.
public struct HookEvent: Sendable {
    public let plugin: String
    public let kind: String
    public let hook: String
    public let role: HookRole
    public let arguments: HookArguments
    public let outcome: Result<HookReply, DagstackError>
    public let duration: Duration
}

/// Sees every hook call (plugin, input, output or error, duration) without changing any result.
/// The console's tracing is built on this.
public protocol HookObserver: Sendable {
    func hookDidRun(_ event: HookEvent)
    /// A call is about to start (every `hookWillRun` is followed by its `hookDidRun`). The console's
    /// live progress line uses it; most observers need only `hookDidRun`.
    func hookWillRun(plugin: String, kind: String, hook: String, role: HookRole)
}

extension HookObserver {
    public func hookWillRun(plugin: String, kind: String, hook: String, role: HookRole) {}
}
