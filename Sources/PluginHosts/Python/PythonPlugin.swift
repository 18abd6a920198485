import OrderedCollections
import PluginSystem

/// A plugin whose code is a Python class in its folder (`runtime = "in_process"`), run by its
/// directory's `PythonHost`. Its `plugin.py` runs unchanged.
public final class PythonPlugin: ChainBatchingPlugin, SetupBatchingPlugin {
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

    /// The host's requests carry the manifest's limits and stop the plugin when they pass.
    public var enforcesTimeLimits: Bool { true }

    public func implements(_ hook: String) -> Bool { loaded.hooks[hook] != nil }

    public var hookNames: [String]? { loaded.hooks.keys.sorted() }

    /// Every plugin of one interpreter can run (or be set up) in one batch.
    public var batchGroup: ObjectIdentifier { ObjectIdentifier(host) }

    public func callChain(
        _ plugins: [String], kind: String, hook: String, value: JSONValue, named: JSONObject, metadata: JSONObject
    ) async -> [BatchedStage]? {
        await host.callChain(plugins, kind: kind, hook: hook, value: value, named: named, metadata: metadata)
    }

    public func setupBatch(_ plugins: [BatchedSetup]) async -> [Result<Duration, DagstackError>]? {
        // The strictest member's limit, for the whole batch: a hang is caught no later than set-up one
        // by one would catch it. A batch that is only slow also passes it; the registry then sets the
        // plugins up one by one, each within its own limit.
        let limit = plugins.map { Double($0.context.manifest.startupTimeoutSec) }.min() ?? 30
        return await host.setupMany(plugins.map { ($0.name, $0.context.metadata, $0.context.config) }, timeout: limit)
    }

    public func setup(_ context: PluginContext) async throws {
        _ = try await host.setup(name, context: context)
    }

    public func teardown() async throws {
        _ = try await host.teardown(name, timeout: teardownTimeout)
    }

    public var phaseOutput: [PhaseOutput] { host.output(of: name).all }

    public func call(_ hook: String, _ arguments: HookArguments, context: HookContext) async throws -> HookReply {
        try await host.call(name, hook: hook, arguments: arguments, context: context)
    }
}
