import OrderedCollections
import PluginSystem

/// A plugin whose code is a Python class in its folder (`runtime = "in_process"`), run by its
/// directory's `PythonHost`. Its `plugin.py` runs unchanged.
public final class PythonPlugin: ChainBatchingPlugin {
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

    /// Every plugin of one interpreter can run in one batch.
    public var batchGroup: ObjectIdentifier { ObjectIdentifier(host) }

    public func callChain(
        _ plugins: [String], kind: String, hook: String, value: JSONValue, named: JSONObject, metadata: JSONObject
    ) async -> [BatchedStage]? {
        let host = host
        return await BlockingIO.run { flag in
            host.callChain(plugins, kind: kind, hook: hook, value: value, named: named, metadata: metadata, cancellation: flag)
        }
    }

    public func setup(_ context: PluginContext) async throws {
        let (host, name) = (host, name)
        _ = try await BlockingIO.run { flag in
            Result { () throws(DagstackError) in try host.setup(name, context: context, cancellation: flag) }
        }.get()
    }

    public func teardown() async throws {
        let (host, name, limit) = (host, name, teardownTimeout)
        _ = try await BlockingIO.run { flag in
            Result { () throws(DagstackError) in try host.teardown(name, timeout: limit, cancellation: flag) }
        }.get()
    }

    public func call(_ hook: String, _ arguments: HookArguments, context: HookContext) async throws -> HookReply {
        let (host, name) = (host, name)
        return try await BlockingIO.run { flag in
            Result { () throws(DagstackError) in try host.call(name, hook: hook, arguments: arguments, context: context, cancellation: flag) }
        }.get()
    }
}
