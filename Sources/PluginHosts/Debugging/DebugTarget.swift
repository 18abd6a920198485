import Synchronization

/// The call the console wants run under a debugger from its first line (`debug`, and `into` while
/// stepping): the first call to `plugin` — of `hook`, when given — made by the task it is set for.
/// Python plugins run it under pdb; a call is claimed once, so a plugin called again (a middleware's
/// `after`, a nested call) runs as usual.
public final class DebugTarget: Sendable {
    /// The target of the command running in this task, if any.
    @TaskLocal public static var current: DebugTarget?

    public let plugin: String
    public let hook: String?
    private let claimed = Mutex(false)

    public init(plugin: String, hook: String? = nil) {
        self.plugin = plugin
        self.hook = hook
    }

    /// Whether the call was made (and so run under the debugger).
    public var wasClaimed: Bool { claimed.withLock { $0 } }

    /// True, once, for the call this target names.
    func claim(plugin: String, hook: String) -> Bool {
        guard plugin == self.plugin, self.hook.map({ $0 == hook }) ?? true else { return false }
        return claimed.withLock { taken in
            defer { taken = true }
            return !taken
        }
    }

    /// Whether a call to one of `plugins` would still be claimed.
    func wants(anyOf plugins: [String]) -> Bool {
        plugins.contains(plugin) && !wasClaimed
    }
}
