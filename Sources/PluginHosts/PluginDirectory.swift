import Foundation
import OrderedCollections
import PluginSystem

/// Something in a plugin directory that could not be used, and why.
public struct LoadProblem: Sendable, Equatable {
    /// The folder or file at fault.
    public var source: String
    public var error: DagstackError
}

/// A plugin directory loaded and set up: its registry (every plugin, in whatever state it reached),
/// what could not be used, and the processes that run its code. `close()` tears it all down.
public final class PluginDirectory: Sendable {
    public struct Options: Sendable {
        /// The time limit of one hook call in a Python or stdio plugin (seconds).
        public var callTimeout: Double = 30
        /// The interpreter for Python plugins (`DAGSTACK_PYTHON`, else `python3`).
        public var python: String = ProcessInfo.processInfo.environment["DAGSTACK_PYTHON"] ?? "python3"
        /// The program for JavaScript and TypeScript plugins (`DAGSTACK_NODE`, else `node`).
        public var node: String = ProcessInfo.processInfo.environment["DAGSTACK_NODE"] ?? "node"
        /// The compiler TypeScript plugins are type-stripped with (`DAGSTACK_ESBUILD`, else `esbuild`).
        public var esbuild: String = ProcessInfo.processInfo.environment["DAGSTACK_ESBUILD"] ?? "esbuild"
        /// Swift plugins the host knows by entry point.
        public var swiftPlugins = SwiftPluginCatalog()
        /// Custom resources set on the command line; they replace `resources.json` values. A value
        /// for a standard name that is a descriptor (`{"resource": "clock", "spec": {...}}`) replaces
        /// that standard resource.
        public var resources: OrderedDictionary<String, JSONValue> = [:]
        /// An application config file read after the directory's own `app-config.yaml` (with its
        /// `.local` and `.${DAGSTACK_ENV}` layers), so it wins over it.
        public var configFile: String?
        /// Values set for this session (`config set`), over every file.
        public var configOverrides: JSONObject = [:]
        /// The folder of the blob_store resource; nil for a fresh temporary folder per load.
        public var blobStore: String?
        /// The environment config files are substituted from.
        public var environment: [String: String] = ProcessInfo.processInfo.environment
        /// Discovery's extra ignore patterns.
        public var ignore: [String] = []
        /// Load only these plugins (the contract checks load one plugin and what it depends on).
        public var only: Set<String>?
        /// A frozen clock and a seeded rng instead of the system ones (the determinism check).
        public var deterministicResources = false
        /// Where the plugins' HTTP requests are kept or answered from while a session is recorded or
        /// replayed: it sees every request made with the directory's http_client.
        public var httpCassette: HTTPCassette?
        /// Whether pdb in plugin code gets the console's terminal (an interactive console), and if
        /// not, why its breakpoints fail.
        public var debugger = DebuggerAccess.noTerminal
        /// Where the Python and Node hosts start the next load's interpreter ahead of time (the
        /// console keeps one ready when it will likely reload); nil: each load starts its own.
        public var spares: SpareInterpreters?
        public init() {}
    }

    /// Custom resource values read from the directory root.
    public static let resourcesFile = "resources.json"
    /// How the blob store folder the console makes for a run (when none is given) starts, in the
    /// temporary folder: a replay compares paths into it as one, since every run makes a new one.
    public static let temporaryBlobFolderPrefix = "dagstack-blobs-"

    /// The resources every directory gets unless its own values replace them.
    public static let standardResources: Set<String> = ["clock", "rng", "http_client", "blob_store"]

    public let path: String
    public let registry: PluginRegistry
    public let problems: [LoadProblem]
    /// What a user should know that is not a failure (a manifest file another took precedence over,
    /// a runtime chosen from several).
    public let notes: [String]
    public let setupOutcomes: [SetupOutcome]
    public let pythonHost: PythonHost?
    /// The Node process of the directory's JavaScript and TypeScript plugins, if it has any.
    public let nodeHost: NodeHost?
    /// The application config the plugins' sections came from.
    public let config: AppConfig
    /// The blob_store folder this load created (removed by `close()`), if it made one.
    let temporaryBlobFolder: String?

    init(
        path: String, registry: PluginRegistry, problems: [LoadProblem], notes: [String] = [], setupOutcomes: [SetupOutcome],
        pythonHost: PythonHost?, nodeHost: NodeHost? = nil, config: AppConfig = AppConfig(), temporaryBlobFolder: String? = nil
    ) {
        self.path = path
        self.registry = registry
        self.problems = problems
        self.notes = notes
        self.setupOutcomes = setupOutcomes
        self.pythonHost = pythonHost
        self.nodeHost = nodeHost
        self.config = config
        self.temporaryBlobFolder = temporaryBlobFolder
    }

    /// Loads `path`: resources (`resources.json`), kind hookspecs (`kinds/`), discovery, binding each
    /// plugin to its host (Swift catalog, the Python host, a stdio child), then set-up. Nothing here
    /// throws: whatever fails is listed in `problems` or in the plugin's state.
    public static func load(_ path: String, options: Options = Options()) async -> PluginDirectory {
        var problems: [LoadProblem] = []
        let resources = ResourceRegistry()
        if options.deterministicResources {
            try? resources.register("clock", .clock(FrozenClock(at: Date(timeIntervalSince1970: 1_767_225_600))))  // 2026-01-01
            try? resources.register("rng", .rng(SeededRng(seed: 42)))
        }
        resources.registerStandard()
        let resourcesPath = path + "/" + resourcesFile
        if FileManager.default.fileExists(atPath: resourcesPath) {
            do {
                for (name, value) in try readResources(resourcesPath) { try resources.register(name, try resource(name, value), replace: true) }
            } catch {
                problems.append(LoadProblem(source: resourcesPath, error: error))
            }
        }
        for (name, value) in options.resources {
            do { try resources.register(name, try resource(name, value), replace: true) } catch {
                problems.append(LoadProblem(source: "--resource \(name)", error: error))
            }
        }
        if resources.get("http_client") == nil { try? resources.register("http_client", .httpClient(LiveHTTPClient())) }
        if let cassette = options.httpCassette, case .httpClient(let client)? = resources.get("http_client") {
            try? resources.register("http_client", .httpClient(CassetteHTTPClient(inner: client, cassette: cassette)), replace: true)
        }
        var temporaryBlobFolder: String?
        if resources.get("blob_store") == nil {
            let folder = options.blobStore ?? {
                let made = NSTemporaryDirectory() + temporaryBlobFolderPrefix + UUID().uuidString
                temporaryBlobFolder = made
                return made
            }()
            do { try resources.register("blob_store", .blobStore(try FolderBlobStore(path: folder))) } catch {
                problems.append(LoadProblem(source: folder, error: error))
            }
        }
        let (config, configProblem) = loadConfig(path, options: options)
        if let configProblem { problems.append(configProblem) }

        let registry = PluginRegistry(resources: resources)
        let (specs, failures) = HookspecLoader.loadDirectory(path + "/kinds")
        for spec in specs { registry.kinds.register(spec) }
        problems += failures.map { LoadProblem(source: $0.file, error: $0.error) }

        let discovery: DiscoveryResult
        do {
            discovery = try Discovery.discover(path, ignore: options.ignore)
        } catch {
            problems.append(LoadProblem(source: path, error: error))
            return PluginDirectory(
                path: path, registry: registry, problems: problems, notes: [], setupOutcomes: [], pythonHost: nil, config: config,
                temporaryBlobFolder: temporaryBlobFolder)
        }
        problems += discovery.skipped.map { LoadProblem(source: $0.folder, error: $0.error) }
        var notes = discovery.warnings
        let wanted = options.only.map { wanted in discovery.plugins.filter { wanted.contains($0.manifest.name) } } ?? discovery.plugins
        let plugins = wanted.map { plugin in
            var chosen = plugin
            chosen.manifest.runtime = runtime(for: plugin, options: options)
            if plugin.manifest.runtimes.count > 1 {
                notes.append("Plugin '\(plugin.manifest.name)' lists runtimes \(plugin.manifest.runtimes.map(\.rawValue)); it runs \(chosen.manifest.runtime.rawValue), the first this console can run")
            }
            return chosen
        }

        let services = WeakRegistry(registry)
        let (hosts, instances) = await bind(plugins, registry: registry, services: services, options: options, directory: path)
        for plugin in plugins {
            let manifest = plugin.manifest
            switch instances[manifest.name] {
            case .success(let instance)?:
                do { try registry.register(manifest, instance: instance, folder: plugin.folder) } catch {
                    try? registry.registerUnbound(manifest, folder: plugin.folder, error: error)
                }
            case .failure(let error)?:
                try? registry.registerUnbound(manifest, folder: plugin.folder, error: error)
            case nil:
                break
            }
        }
        if let configProblem {
            // As an application whose config does not load does not start: no plugin gets a section.
            for record in registry.records where record.lifecycle == .registered {
                registry.markUnavailable(record.name, "the application config did not load: \(configProblem.error.message)")
            }
        }
        var outcomes: [SetupOutcome] = []
        do { outcomes = try await registry.setupAll(config: config) } catch {
            problems.append(LoadProblem(source: path, error: error))
        }
        // A program started early for a plugin that was not set up (its config, a failed
        // dependency...) has nothing to do.
        for record in registry.records { (record.instance as? StdioPlugin)?.discardEarlyStart() }
        notes += HookCoverage.warnings(registry)
        return PluginDirectory(
            path: path, registry: registry, problems: problems, notes: notes, setupOutcomes: outcomes, pythonHost: hosts.python,
            nodeHost: hosts.node, config: config, temporaryBlobFolder: temporaryBlobFolder)
    }

    /// A resource from a `resources.json` or `--resource` value: a standard resource when the value
    /// describes one for its standard name, otherwise a custom value.
    static func resource(_ name: String, _ value: JSONValue) throws(DagstackError) -> Resource {
        try Resource.standard(name, descriptor: value) ?? .value(value)
    }

    /// The application config (guides/configuration): the directory's `app-config.yaml` and its
    /// layers, then `configFile` and its layers, then the session's values. Nothing to read is an
    /// empty config; a file that fails to load is a problem (and no plugin gets a section).
    static func loadConfig(_ path: String, options: Options) -> (AppConfig, LoadProblem?) {
        var files: [String] = []
        let base = path + "/" + AppConfig.baseFileName
        if FileManager.default.fileExists(atPath: base) { files += AppConfig.layers(of: base, environment: options.environment) }
        if let extra = options.configFile { files += AppConfig.layers(of: extra, environment: options.environment) }
        var config = AppConfig()
        var problem: LoadProblem?
        do { config = try AppConfig.load(files, environment: options.environment) } catch {
            problem = LoadProblem(source: error.message.split(separator: ":").first.map(String.init) ?? path, error: error)
        }
        if !options.configOverrides.isEmpty { config.add(options.configOverrides, from: .session) }
        return (config, problem)
    }

    /// The runtime a plugin runs in: the first of those its manifest lists (in_process → mcp_stdio →
    /// mcp_http) that this console can run — in_process with code for it (a Swift entry point, a
    /// Python module or a JavaScript/TypeScript one), mcp_stdio with a command, mcp_http with an endpoint. When none can, the first
    /// listed, so binding reports why.
    static func runtime(for plugin: DiscoveredPlugin, options: Options) -> PluginManifest.Runtime {
        let m = plugin.manifest
        guard m.runtimes.count > 1 else { return m.runtime }
        let runnable = m.runtimes.first { runtime in
            switch runtime {
            case .inProcess: m.entryPoint.flatMap(options.swiftPlugins.factory(for:)) != nil || hasPythonCode(plugin) || hasNodeCode(plugin)
            case .mcpStdio: !(m.command ?? []).isEmpty
            case .mcpHttp: !(m.endpoint ?? m.url ?? "").isEmpty
            }
        }
        return runnable ?? m.runtimes[0]
    }

    /// Gives each discovered plugin an instance from the host that can run it.
    static func bind(
        _ plugins: [DiscoveredPlugin], registry: PluginRegistry, services: WeakRegistry, options: Options, directory: String
    ) async -> ((python: PythonHost?, node: NodeHost?), [String: Result<any Plugin, DagstackError>]) {
        var instances: [String: Result<any Plugin, DagstackError>] = [:]
        var python: [InterpreterHost.PluginSpec] = []
        var node: [InterpreterHost.PluginSpec] = []
        for plugin in plugins {
            let m = plugin.manifest
            switch m.runtime {
            case .inProcess:
                if let entry = m.entryPoint, let factory = options.swiftPlugins.factory(for: entry) {
                    do { instances[m.name] = .success(try factory(m)) } catch {
                        instances[m.name] = .failure(DagstackError(.pluginLoadError, "Failed to instantiate \(entry): \(error)", plugin: m.name))
                    }
                } else if let module = m.entryPoint.map({ String($0.split(separator: ":").first ?? "") }),
                    module.hasPrefix(".") || module.contains("/") || module.split(separator: ".").contains("")
                {
                    // The same rule the Python host applies, checked before any interpreter starts.
                    instances[m.name] = .failure(DagstackError(
                        .pluginLoadError,
                        "Plugin '\(m.name)' (\(plugin.folder)): entry_point module '\(module)' must be a module path inside the plugin folder",
                        plugin: m.name))
                } else if hasPythonCode(plugin) {
                    let kindHooks = registry.kinds.spec(for: m.kind).map { Array($0.hooks.keys) } ?? []
                    python.append(InterpreterHost.PluginSpec(manifest: m, folder: plugin.folder, kindHooks: kindHooks))
                } else if hasNodeCode(plugin) {
                    let kindHooks = registry.kinds.spec(for: m.kind).map { Array($0.hooks.keys) } ?? []
                    node.append(InterpreterHost.PluginSpec(manifest: m, folder: plugin.folder, kindHooks: kindHooks))
                } else {
                    let stem = m.entryPoint.map { String($0.split(separator: ":").first ?? "").replacingOccurrences(of: ".", with: "/") } ?? "plugin"
                    let files = (["py"] + NodeHost.moduleExtensions).map { "\(stem).\($0)" }
                    let expected = files.dropLast().joined(separator: ", ") + " or " + files.last!
                        + (m.entryPoint.map { " (the module of entry_point '\($0)')" } ?? "")
                    instances[m.name] = .failure(DagstackError(
                        .pluginLoadError, "Plugin '\(m.name)' has runtime='in_process' but no code: \(expected) not found in \(plugin.folder)",
                        plugin: m.name))
                }
            case .mcpStdio:
                if let escape = StdioPlugin.escapesFolder(m, folder: plugin.folder) {
                    instances[m.name] = .failure(DagstackError(.manifestInvalid, escape, plugin: m.name))
                    continue
                }
                if m.wireProtocol == .mcp {
                    let (manifest, folder) = (m, plugin.folder)
                    instances[m.name] = .success(MCPPlugin(manifest: m, callTimeout: options.callTimeout) { () throws(DagstackError) in
                        try MCPStdioTransport(manifest: manifest, folder: folder)
                    })
                    continue
                }
                let hooks = registry.kinds.spec(for: m.kind).map { Set($0.hooks.keys) }
                let stdio = StdioPlugin(manifest: m, folder: plugin.folder, callTimeout: options.callTimeout, specHooks: hooks, registry: services)
                // Its program starts while the interpreter hosts start and load.
                stdio.startEarly()
                instances[m.name] = .success(stdio)
            case .mcpHttp where m.wireProtocol == .mcp:
                do {
                    let endpoint = try HTTPEndpoint(manifest: m, folder: plugin.folder, callTimeout: options.callTimeout, environment: options.environment)
                    let name = m.name
                    instances[m.name] = .success(MCPPlugin(manifest: m, callTimeout: endpoint.callTimeout) {
                        MCPStreamableHTTPTransport(endpoint: endpoint, plugin: name)
                    })
                } catch {
                    instances[m.name] = .failure(error)
                }
            case .mcpHttp:
                do {
                    let endpoint = try HTTPEndpoint(manifest: m, folder: plugin.folder, callTimeout: options.callTimeout, environment: options.environment)
                    let hooks = registry.kinds.spec(for: m.kind).map { Set($0.hooks.keys) }
                    instances[m.name] = .success(HTTPPlugin(manifest: m, endpoint: endpoint, specHooks: hooks))
                } catch {
                    instances[m.name] = .failure(error)
                }
            }
        }
        var pythonHost: PythonHost?
        if !python.isEmpty {
            let host = PythonHost(
                directory: directory, python: options.python, callTimeout: options.callTimeout, registry: services, debugger: options.debugger,
                spares: options.spares)
            for (name, plugin) in await load(python, into: host, resources: registry.resources) { instances[name] = plugin }
            pythonHost = host
        }
        var nodeHost: NodeHost?
        if !node.isEmpty {
            let host = NodeHost(
                directory: directory, node: options.node, esbuild: options.esbuild, callTimeout: options.callTimeout, registry: services,
                spares: options.spares)
            for (name, plugin) in await load(node, into: host, resources: registry.resources) { instances[name] = plugin }
            nodeHost = host
        }
        return ((pythonHost, nodeHost), instances)
    }

    /// Starts `host` and loads `specs` in it: each plugin bound to it, or why it could not be.
    static func load<Host: InterpreterHost>(
        _ specs: [InterpreterHost.PluginSpec], into host: Host, resources: ResourceRegistry
    ) async -> [String: Result<any Plugin, DagstackError>] {
        let limits = Dictionary(specs.map { ($0.manifest.name, Double($0.manifest.teardownTimeoutSec)) }, uniquingKeysWith: { a, _ in a })
        let loaded = await BlockingIO.run { _ in host.load(specs, resources: resources) }
        var plugins: [String: Result<any Plugin, DagstackError>] = [:]
        for (name, result) in loaded {
            plugins[name] = result.map { HostedPlugin(name: name, host: host, loaded: $0, teardownTimeout: limits[name] ?? 15) as any Plugin }
        }
        return plugins
    }

    /// A Python plugin: its entry point's module file, or a `plugin.py` to infer the class from.
    static func hasPythonCode(_ plugin: DiscoveredPlugin) -> Bool {
        let module = plugin.manifest.entryPoint.map { String($0.split(separator: ":").first ?? "") } ?? "plugin"
        let file = plugin.folder + "/" + module.replacingOccurrences(of: ".", with: "/") + ".py"
        return FileManager.default.fileExists(atPath: file)
    }

    /// A JavaScript or TypeScript plugin: its entry point's module file, or a `plugin.ts|mts|js|mjs`.
    static func hasNodeCode(_ plugin: DiscoveredPlugin) -> Bool {
        NodeHost.moduleFile(folder: plugin.folder, entryPoint: plugin.manifest.entryPoint) != nil
    }

    static func readResources(_ path: String) throws(DagstackError) -> JSONObject {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DagstackError(.manifestInvalid, "Cannot read \(path)")
        }
        let value: JSONValue
        do { value = try JSONValue.parse(bytes: [UInt8](data), maxDepth: JSONLimits.maxDepth) } catch {
            throw DagstackError(.manifestInvalid, "Invalid JSON in \(path): \(error)")
        }
        guard case .object(let object) = value else {
            throw DagstackError(.manifestInvalid, "\(path) must hold a JSON object of resource name → value, got \(value.typeName)")
        }
        return object
    }

    /// Starts the interpreters the next load of this directory will take (see `SpareInterpreters`).
    public func prepareSpareInterpreters() {
        pythonHost?.prepareSpare()
        nodeHost?.prepareSpare()
    }

    /// Tears every plugin down (reverse set-up order, bounded by each teardown limit) and stops the
    /// processes — without waiting for the interpreters' exit when `awaitingExit` is false (a
    /// reload: see `InterpreterHost.stopInBackground`). Returns the teardown errors, if any.
    @discardableResult
    public func close(awaitingExit: Bool = true) async -> DagstackError? {
        var failure: DagstackError?
        do { try await registry.teardownAll() } catch { failure = error }
        for record in registry.records { await record.instance?.terminate() }
        for host in [pythonHost, nodeHost as InterpreterHost?].compactMap({ $0 }) {
            if awaitingExit { await BlockingIO.run { _ in host.stop() } } else { host.stopInBackground() }
        }
        if let folder = temporaryBlobFolder { try? FileManager.default.removeItem(atPath: folder) }
        return failure
    }
}
