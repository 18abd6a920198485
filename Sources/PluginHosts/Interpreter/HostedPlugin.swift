import OrderedCollections
import PluginSystem

/// A plugin whose code is a class in its folder (`runtime = "in_process"`), run unchanged by its
/// directory's interpreter host: `plugin.py` by the `PythonHost`, `plugin.ts|mts|js|mjs` by the `NodeHost`.
public final class HostedPlugin<Host: InterpreterHost>: ChainBatchingPlugin, SetupBatchingPlugin, InterpreterHosted {
    public let name: String
    public let host: Host
    public let loaded: InterpreterHost.Loaded
    let teardownTimeout: Double

    init(name: String, host: Host, loaded: InterpreterHost.Loaded, teardownTimeout: Double) {
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

    public var interpreterHost: InterpreterHost { host }

    public var phaseOutput: [PhaseOutput] { host.output(of: name).all }

    public func call(_ hook: String, _ arguments: HookArguments, context: HookContext) async throws -> HookReply {
        try await host.call(name, hook: hook, arguments: arguments, context: context)
    }
}

/// A plugin of `plugin.py`, in its directory's Python interpreter.
public typealias PythonPlugin = HostedPlugin<PythonHost>

/// A plugin of `plugin.ts|mts|js|mjs`, in its directory's Node process.
public typealias NodePlugin = HostedPlugin<NodeHost>

/// A plugin run by an interpreter host, whatever its language.
public protocol InterpreterHosted: Plugin {
    var interpreterHost: InterpreterHost { get }
}
