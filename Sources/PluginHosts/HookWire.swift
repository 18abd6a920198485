import PluginSystem

/// What the console sends a plugin in another process or on another host, whatever carries it
/// (stdio or HTTP): the `initialize` parameters and a hook call's parameters (docs/stdio-protocol.md).
enum HookWire {
    /// `initialize`'s params: `capabilities` (as the reference sends) and the console's `dagstack`
    /// block — the plugin, its kind, config and resource descriptors.
    static func initializeParams(_ manifest: PluginManifest, _ context: PluginContext) -> JSONValue {
        var resources = JSONObject()
        for (name, resource) in context.resources.entries { resources[name] = resource.descriptor }
        return [
            "capabilities": [:],
            "dagstack": [
                "protocol": 1, "plugin": .string(manifest.name), "kind": .string(manifest.kind),
                "config": .object(context.config), "resources": .object(resources),
            ],
        ]
    }

    /// A hook call's params: the named arguments as members, the positional ones in `_args`, the
    /// call context in `_ctx`.
    static func callParams(_ arguments: HookArguments, _ context: HookContext) -> JSONValue {
        var params = arguments.named
        if !arguments.positional.isEmpty { params["_args"] = .array(arguments.positional) }
        params["_ctx"] = [
            "plugin": .string(context.plugin), "kind": .string(context.kind), "hook": .string(context.hook),
            "metadata": .object(context.metadata),
        ]
        return .object(params)
    }
}
