import PluginHosts
import PluginSystem

/// Loads `Tests/Fixtures/NAME` with a hook-call time limit (seconds).
public func loadFixture(_ name: String, callTimeout: Double) async -> PluginDirectory {
    var options = PluginDirectory.Options()
    options.callTimeout = callTimeout
    return await PluginDirectory.load(packageRoot + "/Tests/Fixtures/" + name, options: options)
}

/// The fault fixtures' hooks (`Tests/Fixtures/hook-faults`, `node-plugins`): kind `fault`, dispatched
/// as a singleton with one value.
public enum FaultHook {
    public static func call(_ dir: PluginDirectory, _ hook: String, _ value: JSONValue = "v") async throws(DagstackError) -> HookReply {
        try await SingletonDispatcher(dir.registry).dispatch("fault", hook, HookArguments([value])).reply
    }

    /// What calling `hook` raised, or nil when it answered.
    public static func error(_ dir: PluginDirectory, _ hook: String) async -> DagstackError? {
        do {
            _ = try await call(dir, hook)
            return nil
        } catch { return error }
    }
}
