import PluginHosts

/// Loads `Tests/Fixtures/NAME` with a hook-call time limit (seconds).
public func loadFixture(_ name: String, callTimeout: Double) async -> PluginDirectory {
    var options = PluginDirectory.Options()
    options.callTimeout = callTimeout
    return await PluginDirectory.load(packageRoot + "/Tests/Fixtures/" + name, options: options)
}
