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

/// What a plugin receives with every hook call (the `ctx` of `rewrite(self, ctx, query)`). A class:
/// passing it to a stage costs one reference count rather than one per field.
public final class HookContext: Sendable {
    public let plugin: String
    public let kind: String
    public let hook: String
    public let metadata: JSONObject
    public let resources: ResourceContainer

    init(plugin: String, kind: String, hook: String, metadata: JSONObject, resources: ResourceContainer) {
        self.plugin = plugin
        self.kind = kind
        self.hook = hook
        self.metadata = metadata
        self.resources = resources
    }
}
