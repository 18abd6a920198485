import PluginSystem

/// A plugin whose code is a Python class in its folder (`runtime = "in_process"`), run by its
/// directory's `PythonHost`. Its `plugin.py` runs unchanged.
public final class PythonPlugin: Plugin {
    public let name: String
    public let host: PythonHost
    public let loaded: PythonHost.Loaded
    let teardownTimeout: Double

    init(name: String, host: PythonHost, loaded: PythonHost.Loaded, teardownTimeout: Double) {
        self.name = name
        self.host = host
        self.loaded = loaded
        self.teardownTimeout = teardownTimeout
    }

    public func implements(_ hook: String) -> Bool { loaded.hooks[hook] != nil }

    public var hookNames: [String]? { loaded.hooks.keys.sorted() }

    public func setup(_ context: PluginContext) async throws {
        _ = try host.setup(name, context: context)
    }

    public func teardown() async throws {
        _ = try host.teardown(name, timeout: teardownTimeout)
    }

    public func call(_ hook: String, _ arguments: HookArguments, context: HookContext) async throws -> HookReply {
        try host.call(name, hook: hook, arguments: arguments, context: context)
    }
}
