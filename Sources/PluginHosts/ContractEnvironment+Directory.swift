import Foundation
import PluginSystem

/// The contract suite's access to a plugin directory: each check loads the plugin under test (and
/// what it depends on) afresh, in its own interpreter or process, and inspects what teardown leaves.
public struct DirectoryContractEnvironment: ContractEnvironment {
    public let directory: String
    public let options: PluginDirectory.Options
    /// The plugins of the directory, by name.
    public let discovered: [String: DiscoveredPlugin]
    /// Folders whose manifest could not be used: each one fails the contract of a whole directory.
    public let skipped: [SkippedFolder]

    public init(directory: String, options: PluginDirectory.Options = .init()) throws(DagstackError) {
        self.directory = directory
        self.options = options
        let discovery = try Discovery.discover(directory, ignore: options.ignore)
        discovered = Dictionary(uniqueKeysWithValues: discovery.plugins.map { ($0.manifest.name, $0) })
        skipped = discovery.skipped
    }

    public func manifest(of plugin: String) -> DiscoveredPlugin? { discovered[plugin] }

    /// `plugin` and everything it depends on, transitively.
    func closure(of plugin: String) -> Set<String> {
        var wanted: Set<String> = []
        var queue = [plugin]
        while let next = queue.popLast() {
            guard wanted.insert(next).inserted, let entry = discovered[next] else { continue }
            queue += entry.manifest.dependsOn
        }
        return wanted
    }

    public func load(_ plugin: String, deterministic: Bool) async throws(DagstackError) -> any ContractInstance {
        guard discovered[plugin] != nil else {
            throw DagstackError(.kindUnknown, "No plugin named '\(plugin)' in \(directory); available: [\(discovered.keys.sorted().joined(separator: ", "))]")
        }
        var options = self.options
        options.only = closure(of: plugin)
        options.deterministicResources = deterministic
        // The checks call the plugin many times over on fresh instances: never with a debugger.
        options.debugger = .unavailable("the contract checks run the plugin without a debugger")
        return LoadedContractInstance(plugin: plugin, directory: await PluginDirectory.load(directory, options: options))
    }

    public func runtimeDescription(of plugin: String) -> String? {
        guard let entry = discovered[plugin], entry.manifest.runtime == .inProcess, !PluginDirectory.hasPythonCode(entry),
            PluginDirectory.hasNodeCode(entry)
        else { return nil }
        return "a JavaScript/TypeScript plugin runs in the directory's Node process"
    }

    public func ambientState(of plugin: String) async -> AmbientStateScan? {
        guard let entry = discovered[plugin], entry.manifest.runtime == .inProcess else { return nil }
        let file: String
        let scan: (String) async -> Result<AmbientStateScan, DagstackError>
        if PluginDirectory.hasPythonCode(entry) {
            let module = entry.manifest.entryPoint.map { String($0.split(separator: ":").first ?? "plugin") } ?? "plugin"
            file = entry.folder + "/" + module.replacingOccurrences(of: ".", with: "/") + ".py"
            scan = { [options] in await PythonHost.scanAmbientState(file: $0, python: options.python) }
        } else if let module = NodeHost.moduleFile(folder: entry.folder, entryPoint: entry.manifest.entryPoint) {
            file = module
            scan = { [options] in await NodeHost.scanAmbientState(file: $0, node: options.node, esbuild: options.esbuild) }
        } else {
            return nil
        }
        let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
        switch await scan(absolute) {
        case .success(var scan):
            scan.file = file
            return scan
        case .failure(let error):
            return AmbientStateScan(file: file, violations: [], failure: error.message)
        }
    }
}

struct LoadedContractInstance: ContractInstance {
    let plugin: String
    let directory: PluginDirectory

    var registry: PluginRegistry { directory.registry }

    /// The interpreter host running the plugin under test (Python or Node), which watches its hooks.
    var host: InterpreterHost? { (registry.record(named: plugin)?.instance as? any InterpreterHosted)?.interpreterHost }

    func beginObservation(_ request: ObservationRequest) async -> Bool {
        guard let host else { return false }
        var params: JSONObject = ["plugin": .string(plugin)]
        if let checkpoint = request.checkpoint { params["checkpoint"] = .object(checkpoint) }
        if let crash = request.crashAfterCheckpoints { params["crash_after_checkpoints"] = .int(crash) }
        if case .success = await host.contractRequest("observe_begin", params, plugin: plugin) { return true }
        return false
    }

    func endObservation() async -> HookObservation? {
        guard let host,
            case .success(let reply) = await host.contractRequest("observe_end", ["plugin": .string(plugin)], plugin: plugin),
            reply["watched"] == true
        else { return nil }
        func strings(_ value: JSONValue?) -> [String] { (value?.arrayValue ?? []).compactMap(\.stringValue) }
        return HookObservation(
            calls: (reply["calls"]?.arrayValue ?? []).map { call in
                HookObservation.Call(
                    hook: call["hook"]?.stringValue ?? "?", environment: strings(call["env"]), blocking: strings(call["blocking"]),
                    writes: strings(call["writes"]), returnedAwaitable: call["awaitable"] == true)
            },
            stateChanges: strings(reply["state_changes"]), checkpoint: reply["checkpoint"]?.objectValue ?? [:],
            checkpointSaves: strings(reply["checkpoint_saves"]), progress: reply["progress"]?.arrayValue ?? [],
            unserializable: strings(reply["unserializable"]), sinksGiven: reply["sinks"] != false,
            language: host is NodeHost ? .javaScript : .python)
    }

    func tearDownAndInspect() async -> LeakInspection {
        let instance = registry.record(named: plugin)?.instance
        var leaks: [String] = []
        var inspected = true
        var note: String?
        if let stdio = instance as? StdioPlugin { leaks += await stdio.contractTeardown() }
        var teardownError: DagstackError?
        do { try await registry.teardownAll() } catch { teardownError = error }
        switch instance {
        case let hosted as any InterpreterHosted: leaks += await hosted.interpreterHost.inspect(plugin)
        case is StdioPlugin: break
        default:
            inspected = false
            note = "a Swift plugin runs inside the console's own process: its files and tasks are not told apart from the console's"
        }
        await directory.close()
        return LeakInspection(inspected: inspected, leaks: leaks, teardownError: teardownError, note: note)
    }
}
