import OrderedCollections
import Logging

/// What a plugin receives in `setup`: its configuration, a logger, the resources it declared, and
/// the host's whole resource registry (the seeds read `ctx.registry.resource_registry`).
public struct PluginContext: Sendable {
    public let manifest: PluginManifest
    public let config: JSONObject
    public let logger: Logger
    public let resources: ResourceContainer
    public let resourceRegistry: ResourceRegistry
    /// ADR-0005 request metadata (`tenant_id`, `request_id`…), read-only for plugins.
    public let metadata: JSONObject
    /// The plugin's folder, when it came from discovery.
    public let folder: String?
}

/// What a plugin receives with every hook call (the `ctx` of `rewrite(self, ctx, query)`).
public struct HookContext: Sendable {
    public let plugin: String
    public let kind: String
    public let hook: String
    public let metadata: JSONObject
    public let resources: ResourceContainer
}
