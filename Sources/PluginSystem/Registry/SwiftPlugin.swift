import OrderedCollections

/// A plugin written as Swift closures, for hosts and tests that do not want a type per plugin:
///
///     SwiftPlugin(hooks: ["rewrite": { args, ctx in .value(args.positional[0]) }])
///
/// A Swift type can equally conform to `Plugin` itself.
public final class SwiftPlugin: Plugin {
    public typealias Hook = @Sendable (HookArguments, HookContext) async throws -> HookOutput
    public typealias Setup = @Sendable (PluginContext) async throws -> Void
    public typealias Teardown = @Sendable () async throws -> Void

    let hooks: [String: Hook]
    let synchronous: [String: SynchronousHook]
    let stages: [String: ChainStage]
    let onSetup: Setup?
    let onTeardown: Teardown?

    private init(
        hooks: [String: Hook], synchronous: [String: SynchronousHook], stages: [String: ChainStage], setup: Setup?, teardown: Teardown?
    ) {
        self.hooks = hooks
        self.synchronous = synchronous
        self.stages = stages
        onSetup = setup
        onTeardown = teardown
    }

    public convenience init(hooks: [String: Hook], setup: Setup? = nil, teardown: Teardown? = nil) {
        self.init(hooks: hooks, synchronous: [:], stages: [:], setup: setup, teardown: teardown)
    }

    /// A plugin whose hooks never suspend: dispatch can call them directly.
    public convenience init(synchronousHooks: [String: SynchronousHook], setup: Setup? = nil, teardown: Teardown? = nil) {
        self.init(hooks: Self.asynchronous(synchronousHooks), synchronous: synchronousHooks, stages: [:], setup: setup, teardown: teardown)
    }

    /// A plugin whose hooks are chain stages that change the value in place. Called on their own
    /// (the console's trace, `call`, a dispatch that keeps answers) they work on a copy.
    public convenience init(chainStages: [String: ChainStage], setup: Setup? = nil, teardown: Teardown? = nil) {
        let onCopies = chainStages.mapValues { stage -> SynchronousHook in
            { args, ctx in
                var value = args.positional.first ?? .null
                return try stage(&value, ctx) == .stopChain ? .stopChain : .value(value)
            }
        }
        self.init(hooks: Self.asynchronous(onCopies), synchronous: onCopies, stages: chainStages, setup: setup, teardown: teardown)
    }

    private static func asynchronous(_ bodies: [String: SynchronousHook]) -> [String: Hook] {
        bodies.mapValues { body in { args, ctx in try body(args, ctx) } }
    }

    public func implements(_ hook: String) -> Bool { hooks[hook] != nil }

    public var hookNames: [String]? { hooks.keys.sorted() }

    public func synchronousHook(_ hook: String) -> SynchronousHook? { synchronous[hook] }

    public func chainStage(_ hook: String) -> ChainStage? { stages[hook] }

    public func setup(_ context: PluginContext) async throws { try await onSetup?(context) }

    public func teardown() async throws { try await onTeardown?() }

    public func call(_ hook: String, _ arguments: HookArguments, context: HookContext) async throws -> HookReply {
        guard let body = hooks[hook] else {
            throw DagstackError(.dispatchMismatch, "Plugin '\(context.plugin)' has no hook '\(hook)'", plugin: context.plugin)
        }
        return HookReply(try await body(arguments, context))
    }
}

/// Maps `entry_point` strings of in-process manifests to Swift constructors, so a discovered
/// directory can be bound to Swift code (Swift cannot load source at run time; like the Go binding,
/// the host knows its constructors).
public struct SwiftPluginCatalog: Sendable {
    public typealias Factory = @Sendable (PluginManifest) throws -> any Plugin
    var factories: [String: Factory] = [:]

    public init() {}

    public mutating func add(_ entryPoint: String, _ factory: @escaping Factory) { factories[entryPoint] = factory }

    public func factory(for entryPoint: String) -> Factory? { factories[entryPoint] }

    /// Registers every discovered plugin whose entry point the catalog knows; the others are left for
    /// other hosts and returned.
    @discardableResult
    public func bind(_ plugins: [DiscoveredPlugin], into registry: PluginRegistry) -> [DiscoveredPlugin] {
        var unbound: [DiscoveredPlugin] = []
        for plugin in plugins {
            guard plugin.manifest.runtime == .inProcess, let entry = plugin.manifest.entryPoint, let factory = factories[entry] else {
                unbound.append(plugin)
                continue
            }
            do {
                try registry.register(plugin.manifest, instance: try factory(plugin.manifest), folder: plugin.folder)
            } catch let error as DagstackError {
                try? registry.registerUnbound(plugin.manifest, folder: plugin.folder, error: error)
            } catch {
                try? registry.registerUnbound(
                    plugin.manifest, folder: plugin.folder,
                    error: DagstackError(.pluginLoadError, "Failed to instantiate \(entry): \(error)", plugin: plugin.manifest.name))
            }
        }
        return unbound
    }
}
