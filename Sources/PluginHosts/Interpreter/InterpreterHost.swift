import Foundation
import OrderedCollections
import PluginSystem
import Synchronization
import SystemPackage

/// How an interpreter host is started: its program and arguments, what it reads first on stdin, and
/// how it is named in messages. The host answers the same JSON-RPC methods whatever its language
/// (`ready`, `load`, `setup`, `setup_many`, `teardown`, `call`, `chain`, `inspect`, `shutdown`).
public struct HostLauncher: Sendable {
    /// "Python host", "Node host": what messages call it.
    public var name: String
    /// What a failure of the host itself is blamed on when no plugin is ("python-host").
    public var id: String
    public var command: [String]
    /// A line written to the host's stdin before anything else (the Python host's sources), if any.
    public var preamble: [UInt8]?
    /// The member of the `ready` notification's params that holds the runtime's version.
    public var versionKey: String
    /// Variables set in the host's environment besides the console's own.
    public var environment: [String: String] = [:]
    /// What to do when the program cannot be started at all (it is not installed).
    public var installHint: String? = nil
    /// The lines the runtime itself writes on the process's stderr (Node's inspector: "Debugger
    /// listening on ws://…"), which are the host's messages for the console, never a plugin's output.
    public var isRuntimeMessage: (@Sendable (String) -> Bool)? = nil
}

/// One interpreter process for the in-process plugins of one plugin directory written in its
/// language (Python, JavaScript/TypeScript) — the "in-process" world those plugins expect:
/// module-level state is shared as in the reference. Started on load, stopped on teardown. When a
/// plugin hangs past its limit or crashes the interpreter, the interpreter is restarted and the
/// other plugins are loaded and set up again. `PythonHost` and `NodeHost` say how each is started.
public class InterpreterHost: @unchecked Sendable {
    public let directory: String
    public let launcher: HostLauncher
    public let callTimeout: Double
    /// The registry whose services plugin code reaches (get_plugin, the http client, the blob store).
    private let registry: WeakRegistry?
    /// Whether pdb in plugin code may borrow the console's terminal.
    let debugger: DebuggerAccess
    /// Where the next load's interpreter is started ahead of time, if the console keeps one ready.
    let spares: SpareInterpreters?

    /// What `load` sends for one plugin.
    public struct PluginSpec: Sendable {
        public var manifest: PluginManifest
        public var folder: String
        /// The hooks of the plugin's kind (from its hookspec), to tell the plugin class from helper
        /// classes when the entry point is inferred.
        public var kindHooks: [String] = []
    }

    /// What the interpreter found for one plugin.
    public struct Loaded: Sendable {
        public var entryPoint: String
        public var className: String
        /// The entry point was not in the manifest: the host chose the class.
        public var inferred: Bool
        /// Why the host chose that class ("plugin.py's only class", "the one class … with setup or a
        /// hook of the kind; beside it Config"), when it was inferred.
        public var inferredBecause: String? = nil
        /// Hook name → whether it takes `ctx` first.
        public var hooks: [String: Bool]
        /// The module file the class came from, as the host read it.
        public var moduleFile: String? = nil
    }

    private struct State {
        var channel: JSONRPCChannel?
        var loadParams: JSONValue?
        /// Plugins set up in this interpreter, with their set-up parameters, for a restart.
        var setUp: [(name: String, params: JSONValue)] = []
        var abandoned: Set<String> = []
        var version: String?
        /// Where the running interpreter says where its code is when asked (see `StuckFrames`).
        var whereFile: String?
        var whereAsk: String?
        /// `stop()` was called: nothing restarts the interpreter any more.
        var stopping = false
        /// The standard library modules the load imported: a spare for the next load imports them ahead.
        var warm: [String] = []
    }

    private let state = Mutex(State())
    /// What each plugin wrote in set-up and teardown.
    private let outputs = Mutex<[String: PhaseOutputLog]>([:])
    /// The runtime's own stderr lines taken from calls' output, until the console asks for them.
    private let runtimeMessages = Mutex<[String]>([])

    func output(of plugin: String) -> PhaseOutputLog {
        outputs.withLock { logs in
            if let log = logs[plugin] { return log }
            let log = PhaseOutputLog()
            logs[plugin] = log
            return log
        }
    }

    init(
        directory: String, launcher: HostLauncher, callTimeout: Double, registry: WeakRegistry?,
        debugger: DebuggerAccess = .noTerminal, spares: SpareInterpreters? = nil
    ) {
        self.directory = directory
        self.launcher = launcher
        self.callTimeout = callTimeout
        self.registry = registry
        self.debugger = debugger
        self.spares = spares
    }

    /// The runtime's version, as the host said when it started.
    public var version: String? { state.withLock { $0.version } }

    /// The plugin process's pid (not its keeper's), while it runs.
    public var pid: Int32? { state.withLock { $0.channel?.process.programPID } }

    // MARK: Starting

    /// Starts the interpreter, or takes the spare one started for this directory after its last load.
    func start(timeout: Double = 30) throws(DagstackError) {
        let started: (process: ChildProcess, hello: JSONValue)
        if let spare = spares?.take(launcher, directory: directory) { started = spare } else {
            started = try Self.launch(launcher, directory: directory, timeout: timeout)
        }
        let (process, hello) = (started.process, started.hello)
        let services = registry.map { PluginServices(registry: $0, host: ObjectIdentifier(self)) }
        state.withLock {
            $0.channel = JSONRPCChannel(process: process, peer: services, answersRepeatOutput: true, debugger: debugger)
            $0.version = hello["params"]?[launcher.versionKey]?.stringValue
            $0.whereFile = hello["params"]?["where_file"]?.stringValue
            $0.whereAsk = hello["params"]?["where_ask"]?.stringValue
        }
    }

    /// Starts, in the background, the interpreter this directory's next load will take, when the
    /// console keeps one ready and this host has loaded plugins. The console says when: not while
    /// a load or a trace still needs the cores.
    func prepareSpare() {
        guard let warm = state.withLock({ $0.loadParams == nil ? nil : $0.warm }) else { return }
        spares?.prepare(launcher, directory: directory, warming: warm)
    }

    /// Starts `launcher`'s program in `directory` and waits for its `ready` notification.
    static func launch(_ launcher: HostLauncher, directory: String, timeout: Double) throws(DagstackError) -> (process: ChildProcess, hello: JSONValue) {
        let process: ChildProcess
        do {
            process = try ChildProcess(
                command: launcher.command, environment: ProcessInfo.processInfo.environment.merging(launcher.environment) { $1 },
                workingDirectory: directory)
        } catch {
            throw DagstackError(error.code, "The \(launcher.name) cannot start: \(error.message)" + (launcher.installHint.map { "; \($0)" } ?? ""))
        }
        do {
            if let preamble = launcher.preamble { try process.write(preamble) }
            let deadline = ContinuousClock.now + TimeLimit.duration(timeout)
            guard let ready = try process.readLine(deadline: deadline),
                let hello = try? JSONValue.parse(data: ready), hello["method"] == "ready"
            else { throw ChildIOError.closed }
            return (process, hello)
        } catch {
            process.terminate(grace: 0.2)
            process.stderr.waitForClose(seconds: 0.5)
            throw DagstackError(
                .pluginLoadError,
                "The \(launcher.name) (\(launcher.command[0])) did not start for \(directory): \(process.exitDescription ?? "no answer")\(RPCFailure.stderrSuffix(process))")
        }
    }

    /// Starts the interpreter and loads every plugin's module and class. Failures per plugin come
    /// back as errors naming the plugin; a host that cannot start fails them all.
    public func load(_ plugins: [PluginSpec], resources: ResourceRegistry) -> [String: Result<Loaded, DagstackError>] {
        var descriptors = JSONObject()
        for (name, resource) in resources.all { descriptors[name] = resource.descriptor }
        var results: [String: Result<Loaded, DagstackError>] = [:]
        var remaining = plugins
        // A plugin whose import hangs or kills the interpreter is failed alone, and the others are
        // loaded again in a fresh interpreter: at most once per plugin.
        while !remaining.isEmpty {
            let params = Self.loadParams(remaining, resources: descriptors)
            switch loadOnce(params, remaining) {
            case .success(let reply):
                let warm = (reply["warm"]?.arrayValue ?? []).compactMap(\.stringValue)
                state.withLock {
                    $0.loadParams = params
                    $0.warm = warm
                }
                for spec in remaining { results[spec.manifest.name] = Self.loaded(spec, from: reply) }
                return results
            case .failure(let failure):
                guard let culprit = failure.culprit, let index = remaining.firstIndex(where: { $0.manifest.name == culprit }) else {
                    for spec in remaining { results[spec.manifest.name] = .failure(failure.error) }
                    return results
                }
                results[culprit] = .failure(failure.error)
                remaining.remove(at: index)
            }
        }
        return results
    }

    private struct LoadFailure: Error {
        var error: DagstackError
        /// The plugin whose module was being imported when the interpreter hung or died.
        var culprit: String?
    }

    /// Starts an interpreter and loads `plugins` in it, each module's import timed by its plugin's
    /// `startup_timeout_sec` (the host says which plugin it is importing before it does).
    private func loadOnce(_ params: JSONValue, _ plugins: [PluginSpec]) -> Result<JSONValue, LoadFailure> {
        do { try start() } catch { return .failure(LoadFailure(error: error)) }
        guard let channel = state.withLock({ $0.channel }) else {
            return .failure(LoadFailure(error: DagstackError(.pluginCrashed, "The \(launcher.name) for \(directory) is not running")))
        }
        let limits = Dictionary(plugins.map { ($0.manifest.name, Double($0.manifest.startupTimeoutSec)) }, uniquingKeysWith: { a, _ in a })
        let importing = Mutex<String?>(nil)
        do {
            let reply = try channel.request("load", params: params, timeout: 60) { method, params in
                guard method == "importing", let name = params["plugin"]?.stringValue else { return nil }
                importing.withLock { $0 = name }
                return limits[name]
            }
            return .success(reply.result)
        } catch {
            let culprit = importing.withLock { $0 }
            let limit = culprit.flatMap { limits[$0] } ?? 60
            var failure = error.error(
                plugin: culprit ?? launcher.id, activity: culprit == nil ? "loading plugin modules" : "the import of its module",
                process: channel.process, timeout: limit, limitName: culprit == nil ? "the \(launcher.name)'s limit" : "startup_timeout_sec")
            if let culprit, let spec = plugins.first(where: { $0.manifest.name == culprit }) {
                failure.code = .pluginLoadError
                failure.message = failure.message.replacingOccurrences(of: "Plugin '\(culprit)'", with: "Plugin '\(culprit)' (\(spec.folder))")
                failure.message += "; the other plugins were loaded in a fresh interpreter"
            }
            channel.process.terminate(grace: 0.2)
            state.withLock { $0.channel = nil }
            return .failure(LoadFailure(error: failure, culprit: culprit))
        }
    }

    private static func loadParams(_ plugins: [PluginSpec], resources: JSONObject) -> JSONValue {
        [
            "plugins": .array(plugins.map { spec in
                [
                    "name": .string(spec.manifest.name),
                    "folder": .string(URL(fileURLWithPath: spec.folder).standardizedFileURL.path),
                    // Resolved here: Python's os.path.realpath costs ~40 µs a plugin, a third of loading one.
                    "real_folder": .string(Self.realPath(spec.folder)),
                    "entry_point": spec.manifest.entryPoint.map(JSONValue.string) ?? .null,
                    "resources": .array((spec.manifest.resources.required + spec.manifest.resources.optional).map(JSONValue.string)),
                    "optional_resources": .array(spec.manifest.resources.optional.map(JSONValue.string)),
                    "kind_hooks": .array(spec.kindHooks.map(JSONValue.string)),
                    "config_section": .string("\(spec.manifest.kind).\(spec.manifest.name)"),
                    // What a TypeScript plugin's ctx.manifest holds (the Python host does not read it).
                    "manifest": [
                        "name": .string(spec.manifest.name), "kind": .string(spec.manifest.kind),
                        "version": spec.manifest.version.map(JSONValue.string) ?? .null, "priority": .int(spec.manifest.priority),
                        "resources": [
                            "required": .array(spec.manifest.resources.required.map(JSONValue.string)),
                            "optional": .array(spec.manifest.resources.optional.map(JSONValue.string)),
                        ],
                    ],
                ]
            }),
            "resources": .object(resources),
            "limits": ["max_depth": .int(JSONLimits.maxDepth)],
        ]
    }

    /// What the interpreter said of one plugin in its answer to `load`.
    private static func loaded(_ spec: PluginSpec, from reply: JSONValue) -> Result<Loaded, DagstackError> {
        let name = spec.manifest.name
        guard let entry = reply["plugins"]?[name], entry["ok"] == true else {
            let error = reply["plugins"]?[name]?["error"]
            return .failure(DagstackError(
                .pluginLoadError, "Plugin '\(name)' (\(spec.folder)): \(error?["message"]?.stringValue ?? "not loaded")",
                plugin: name, exceptionType: error?["data"]?["type"]?.stringValue,
                traceback: error?["data"]?["traceback"]?.stringValue))
        }
        var hooks: [String: Bool] = [:]
        for (hook, info) in entry["hooks"]?.objectValue ?? [:] { hooks[hook] = info["takes_ctx"] == true }
        return .success(Loaded(
            entryPoint: entry["entry_point"]?.stringValue ?? "", className: entry["class"]?.stringValue ?? "",
            inferred: entry["inferred"] == true, inferredBecause: entry["inferred_because"]?.stringValue, hooks: hooks,
            moduleFile: entry["module_file"]?.stringValue))
    }

    /// The folder with every symbolic link resolved (as given when it cannot be resolved).
    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    // MARK: Calls

    func setup(_ name: String, context: PluginContext) async throws(DagstackError) -> [PluginLog] {
        let params: JSONValue = ["plugin": .string(name), "metadata": .object(context.metadata), "config": .object(context.config)]
        let reply = try await request("setup", params, timeout: Double(context.manifest.startupTimeoutSec), plugin: name,
                                      activity: "setup", limitName: "startup_timeout_sec")
        state.withLock { $0.setUp.append((name, params)) }
        output(of: name).add(.setup, reply.logs)
        return reply.logs
    }

    /// Several set-ups in one exchange (see `SetupBatchingPlugin`); nil when the exchange itself
    /// failed — the interpreter is then restarted and the caller sets them up one by one.
    func setupMany(_ plugins: [(name: String, metadata: JSONObject, config: JSONObject)], timeout: Double) async -> [Result<Duration, DagstackError>]? {
        let entries: [JSONValue] = plugins.map { ["plugin": .string($0.name), "metadata": .object($0.metadata), "config": .object($0.config)] }
        let reply: (value: JSONValue, logs: [PluginLog])
        do {
            reply = try await rawExchange(
                "setup_many", ["plugins": .array(entries)], timeout: timeout, plugin: plugins.first?.name, activity: "setup",
                limitName: "startup_timeout_sec")
        } catch {
            if error.pluginStopped, !state.withLock({ $0.stopping }) { _ = await restartOffTask() }
            return nil
        }
        guard let channel = state.withLock({ $0.channel }) else { return nil }
        // One result per plugin that ran, in order: the host stops after the first failure.
        return zip(entries, reply.value["results"]?.arrayValue ?? []).map { params, entry in
            let name = params["plugin"]?.stringValue ?? ""
            if let error = entry["error"] {
                let failure = RPCFailure.remote(code: error["code"]?.intValue ?? 0, message: error["message"]?.stringValue ?? "", data: error["data"])
                var result = failure.error(plugin: name, activity: "setup", process: channel.process, timeout: timeout, limitName: "startup_timeout_sec")
                result.logs = Self.logs(error["data"]?["logs"])
                Self.classify(&result, failure, plugin: name, activity: "setup")
                return .failure(result)
            }
            state.withLock { $0.setUp.append((name, params)) }
            output(of: name).add(.setup, Self.logs(entry["logs"]))
            return .success(.microseconds(entry["duration_us"]?.intValue ?? 0))
        }
    }

    func teardown(_ name: String, timeout: Double) async throws(DagstackError) -> [PluginLog] {
        defer { state.withLock { $0.setUp.removeAll { $0.name == name } } }
        do {
            let logs = try await request("teardown", ["plugin": .string(name)], timeout: timeout, plugin: name, activity: "teardown",
                                         limitName: "teardown_timeout_sec").logs
            output(of: name).add(.teardown, logs)
            return logs
        } catch {
            output(of: name).add(.teardown, error.logs)
            throw error
        }
    }

    func call(_ name: String, hook: String, arguments: HookArguments, context: HookContext) async throws(DagstackError) -> HookReply {
        var params: JSONObject = [
            "plugin": .string(name), "hook": .string(hook), "args": .array(arguments.positional),
            "kwargs": .object(arguments.named), "metadata": .object(context.metadata),
        ]
        if let target = DebugTarget.current, target.claim(plugin: name, hook: hook) { params["debug"] = true }
        let reply = try await request("call", .object(params), timeout: callTimeout, plugin: name, activity: "\(context.kind).\(hook)",
                                      limitName: "--call-timeout")
        return HookReply(
            HookOutput(wire: reply.value["value"] ?? .null), logs: reply.logs, debuggerWait: Self.debuggerWait(reply.value),
            returnedNothing: ReturnedNothing(wire: reply.value))
    }

    /// Consecutive chain stages in one exchange. A failure of the exchange itself (a stage hung or
    /// crashed the interpreter, or Ctrl-C) restarts the interpreter and gives nil: the dispatcher then
    /// runs the stages one by one, so the failure is reported for the right plugin.
    func callChain(
        _ plugins: [String], kind: String, hook: String, value: JSONValue, named: JSONObject, metadata: JSONObject
    ) async -> [BatchedStage]? {
        // A stage to run under the debugger runs alone, as the console's `debug` asked.
        if let target = DebugTarget.current, target.wants(anyOf: plugins) { return nil }
        let params: JSONValue = [
            "plugins": .array(plugins.map(JSONValue.string)), "hook": .string(hook), "value": value, "kwargs": .object(named),
            "metadata": .object(metadata),
        ]
        let activity = "\(kind).\(hook)"
        guard let channel = state.withLock({ $0.channel }) else { return nil }
        let progress = ChainBatchProgress(callTimeout: callTimeout)
        let reply: (value: JSONValue, logs: [PluginLog])
        do {
            // Until the host announces a stage (only one that runs a moment), the batch as a whole
            // has every stage's limit.
            reply = try await rawExchange(
                "chain", params, timeout: callTimeout * Double(plugins.count), plugin: plugins.first, activity: activity,
                limitName: "--call-timeout", progress: progress)
        } catch {
            guard error.pluginStopped else { return nil }
            guard let hung = progress.current else {
                // Not known which stage it was: they run again one by one, which names it.
                if !state.withLock({ $0.stopping }) { _ = await restartOffTask() }
                return nil
            }
            // The announced stage hung, crashed the interpreter or was interrupted: it alone is
            // blamed; the stages before it keep what they returned.
            let ran = ContinuousClock.now - hung.started
            var failure = error
            let stopping = state.withLock { s in
                s.abandoned.insert(hung.plugin)
                return s.stopping
            }
            if !stopping, let restarted = await restartOffTask() { failure.message = Self.withNote(failure.message, restarted) }
            let finished = progress.finished.map { stage(from: $0, activity: activity, process: channel.process) }
            return finished + [BatchedStage(plugin: hung.plugin, result: .failure(failure), duration: ran)]
        }
        return (reply.value["stages"]?.arrayValue ?? []).map { stage(from: $0, activity: activity, process: channel.process) }
    }

    /// One stage of a batch as the host reported it.
    private func stage(from stage: JSONValue, activity: String, process: ChildProcess) -> BatchedStage {
        let name = stage["plugin"]?.stringValue ?? "?"
        let duration = Duration.microseconds(stage["duration_us"]?.intValue ?? 0)
        if let error = stage["error"] {
            let remote = RPCFailure.remote(code: error["code"]?.intValue ?? 0, message: error["message"]?.stringValue ?? "", data: error["data"])
            var failure = remote.error(plugin: name, activity: activity, process: process, timeout: callTimeout, limitName: "--call-timeout")
            failure.logs = Self.logs(error["data"]?["logs"])
            Self.classify(&failure, remote, plugin: name, activity: activity)
            return BatchedStage(plugin: name, result: .failure(failure), duration: duration)
        }
        let output = HookOutput(wire: stage["value"] ?? .null)
        let reply = HookReply(output, logs: Self.logs(stage["logs"]), debuggerWait: Self.debuggerWait(stage), returnedNothing: ReturnedNothing(wire: stage))
        return BatchedStage(plugin: name, result: .success(reply), duration: duration)
    }

    /// `message` with a note (the restart, where the code was) on its first line, before a crash's
    /// "stderr (last lines)" block.
    static func withNote(_ message: String, _ restarted: String) -> String {
        let lines = message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        return lines[0] + "; \(restarted)" + (lines.count > 1 ? "\n" + lines[1] : "")
    }

    /// A request on behalf of `plugin`. When the interpreter had to be stopped (the plugin hung,
    /// was interrupted, or crashed it) it is restarted with every other plugin set up again, so one
    /// bad plugin costs only itself.
    private func request(
        _ method: String, _ params: JSONValue, timeout: Double, plugin: String, activity: String, limitName: String
    ) async throws(DagstackError) -> (value: JSONValue, logs: [PluginLog]) {
        do {
            return try await rawExchange(method, params, timeout: timeout, plugin: plugin, activity: activity, limitName: limitName)
        } catch var error where error.pluginStopped {
            let stopping = state.withLock { s in
                s.abandoned.insert(plugin)
                return s.stopping
            }
            if !stopping, let restarted = await restartOffTask() { error.message = Self.withNote(error.message, restarted) }
            throw error
        }
    }

    /// A request from async code: a quick answer is read on the calling thread (a hand-off to an
    /// I/O thread and back costs more than most plugins take), a slow one on an I/O thread.
    /// With a batch's `progress`, a failure is blamed on the stage announced last, with that
    /// stage's own time limit and only its output.
    private func rawExchange(
        _ method: String, _ params: JSONValue, timeout: Double, plugin: String?, activity: String, limitName: String,
        progress: ChainBatchProgress? = nil
    ) async throws(DagstackError) -> (value: JSONValue, logs: [PluginLog]) {
        let channel = try liveChannel(for: plugin)
        let outcome: Result<JSONRPCChannel.Reply, RPCFailure>
        do { outcome = .success(try await channel.exchange(method, params: params, timeout: timeout, progress: progress?.hook)) } catch {
            outcome = .failure(error)
        }
        let stage = progress?.current
        let blamed = stage?.plugin ?? plugin, limit = stage == nil ? timeout : callTimeout
        if case .failure(let failure) = outcome, failure.stopsPeer {
            // Stopping the interpreter waits for it: not on the calling task's thread.
            return try await BlockingIO.run { [self] _ in
                Result { () throws(DagstackError) in
                    try settle(
                        outcome, channel: channel, plugin: blamed, activity: activity, timeout: limit, limitName: limitName,
                        skippingStreamed: stage?.streamed ?? 0)
                }
            }.get()
        }
        return try settle(outcome, channel: channel, plugin: blamed, activity: activity, timeout: limit, limitName: limitName)
    }

    /// A request blocking the calling thread, for the host's own housekeeping (restart, scans, stop).
    func rawRequest(
        _ method: String, _ params: JSONValue, timeout: Double, plugin: String?, activity: String,
        limitName: String? = nil, cancellation: CancellationFlag? = nil
    ) throws(DagstackError) -> (value: JSONValue, logs: [PluginLog]) {
        let channel = try liveChannel(for: plugin)
        let outcome = Result { () throws(RPCFailure) in try channel.request(method, params: params, timeout: timeout, cancellation: cancellation) }
        return try settle(
            outcome, channel: channel, plugin: plugin, activity: activity, timeout: timeout, limitName: limitName ?? "the \(launcher.name)'s limit")
    }

    private func liveChannel(for plugin: String?) throws(DagstackError) -> JSONRPCChannel {
        guard let channel = state.withLock({ $0.channel }) else {
            throw DagstackError(.pluginCrashed, "The \(launcher.name) for \(directory) is not running", plugin: plugin)
        }
        return channel
    }

    /// The answer with its logs, or the runtime error for a failed request; a failure that leaves
    /// the interpreter unusable stops it.
    private func settle(
        _ outcome: Result<JSONRPCChannel.Reply, RPCFailure>, channel: JSONRPCChannel, plugin: String?, activity: String, timeout: Double,
        limitName: String, skippingStreamed: Int = 0
    ) throws(DagstackError) -> (value: JSONValue, logs: [PluginLog]) {
        let who = plugin ?? launcher.id
        switch outcome {
        case .success(let reply):
            let logs = Self.logs(reply.result["logs"])
                + pluginLines(channel.process.stderr.drain(includingPartialLine: true)).map { PluginLog(stream: "stderr", text: $0) }
            return (reply.result, reply.logs + logs)
        case .failure(let error):
            var failure = error.error(plugin: who, activity: activity, process: channel.process, timeout: timeout, limitName: limitName)
            // No answer: what the plugin wrote came as it was written (and on stderr).
            if error.stopsPeer { failure.logs = channel.takeUnansweredOutput(skippingStreamed: skippingStreamed) }
            if case .remote(_, _, let data) = error {
                failure.logs = Self.logs(data?["logs"])
                Self.classify(&failure, error, plugin: who, activity: activity)
            }
            if failure.pluginStopped {
                if error.leftCodeRunning, let stuck = whereStuck(channel) {
                    failure.message = Self.withNote(failure.message, stuck.headline)
                    failure.traceback = stuck.traceback
                }
                channel.process.terminate(grace: 0.2)
                // An answer that came after the console stopped waiting for it.
                if let file = state.withLock({ $0.whereFile }) { unlink(file) }
                state.withLock { $0.channel = nil }
            }
            throw failure
        }
    }

    /// Where the code of a call that hung was, when the interpreter can say (before it is stopped).
    private func whereStuck(_ channel: JSONRPCChannel) -> StuckFrames? {
        let (file, ask) = state.withLock { ($0.whereFile, $0.whereAsk) }
        guard let file, let pid = channel.process.programPID else { return nil }
        return StuckFrames.ask(pid: pid, file: file, askFile: ask)
    }

    /// What an error the host reported is, from its `kind`: a value JSON cannot carry; a config that
    /// does not fit the plugin's config_schema — the manifest's fault, not the code's
    /// (guides/configuration: ManifestInvalid naming the field); `q` in pdb — the user's doing, the
    /// plugin stays active. With how long pdb waited at its prompt before.
    static func classify(_ failure: inout DagstackError, _ error: RPCFailure, plugin: String, activity: String) {
        guard case .remote(_, let message, let data) = error else { return }
        failure.debuggerWait = debuggerWait(data)
        switch data?["kind"]?.stringValue {
        case "serialization":
            failure.code = .serializationError
            failure.message = "Plugin '\(plugin)' failed in \(activity): \(message)"
        case "config_invalid":
            failure.code = .manifestInvalid
            failure.message = "Invalid config for plugin '\(plugin)': \(message)"
            failure.configFields = data?["fields"]?.arrayValue?.map { field in
                (field.arrayValue ?? []).map { $0.stringValue ?? $0.encoded() }
            }
            failure.traceback = nil
            failure.exceptionType = nil
        case "debugger_quit":
            failure.code = .stoppedInDebugger
            failure.message = "Plugin '\(plugin)' stopped in the debugger during \(activity) (q in pdb); it stays active"
            failure.traceback = nil
            failure.exceptionType = nil
        default:
            break
        }
    }

    /// How long pdb waited at its prompt, as the host reports it in a result or an error's data.
    static func debuggerWait(_ value: JSONValue?) -> Duration? {
        value?["debugger_us"]?.intValue.map { .microseconds($0) }
    }

    static func logs(_ value: JSONValue?) -> [PluginLog] {
        (value?.arrayValue ?? []).map {
            PluginLog(stream: $0["stream"]?.stringValue ?? "log", level: $0["level"]?.stringValue, text: $0["text"]?.stringValue ?? "")
        }
    }

    /// Restarts on an I/O thread, ignoring cancellation: the request that failed may have been
    /// cancelled (Ctrl-C), and the restart must not inherit that.
    private func restartOffTask() async -> String? {
        await BlockingIO.run { [self] _ in restart() }
    }

    /// Starts a fresh interpreter, loads every module again and sets up again the plugins that were
    /// set up, except those that were stopped. Returns what happened, for the error message.
    private func restart() -> String? {
        let (loadParams, setUp, abandoned) = state.withLock { ($0.loadParams, $0.setUp, $0.abandoned) }
        guard let loadParams else { return nil }
        do {
            try start()
            _ = try rawRequest("load", loadParams, timeout: 60, plugin: nil, activity: "reloading plugin modules")
            var again: [(String, JSONValue)] = []
            for (name, params) in setUp where !abandoned.contains(name) {
                if (try? rawRequest("setup", params, timeout: 30, plugin: name, activity: "setup")) != nil { again.append((name, params)) }
            }
            state.withLock { $0.setUp = again.map { (name: $0.0, params: $0.1) } }
            return "the \(launcher.name) was restarted and \(again.count) other plugin(s) set up again"
        } catch {
            return "the \(launcher.name) could not be restarted: \(error.message)"
        }
    }

    // MARK: Debugging

    /// pdb on the exception `plugin`'s code raised last, in its own frames, on the console's terminal
    /// (the console's `pm`). Returns what it was (`{"exception", "where", "debugger_us"}`).
    public func postMortem(_ plugin: String) async -> Result<JSONValue, DagstackError> {
        do {
            return .success(try await request(
                "post_mortem", ["plugin": .string(plugin)], timeout: callTimeout, plugin: plugin, activity: "the post-mortem",
                limitName: "--call-timeout").value)
        } catch {
            return .failure(error)
        }
    }

    // MARK: Contract checks

    /// After `plugin`'s teardown: what it left behind in the interpreter (an instance still
    /// referenced, running tasks, child processes, open files).
    func inspect(_ plugin: String) async -> [String] {
        let outcome = await BlockingIO.run { [self] flag in
            Result { () throws(DagstackError) in
                try rawRequest("inspect", ["plugin": .string(plugin)], timeout: 30, plugin: plugin, activity: "inspection", cancellation: flag)
            }
        }
        switch outcome {
        case .success(let reply): return (reply.value["leaks"]?.arrayValue ?? []).compactMap(\.stringValue)
        case .failure(let error): return ["could not inspect the interpreter: \(error.message)"]
        }
    }

    /// A request of the contract checks about `plugin` (observe_begin, observe_end), answered or failed.
    func contractRequest(_ method: String, _ params: JSONObject, plugin: String) async -> Result<JSONValue, DagstackError> {
        await BlockingIO.run { [self] flag in
            Result { () throws(DagstackError) in
                try rawRequest(method, .object(params), timeout: 30, plugin: plugin, activity: "the contract checks' \(method)", cancellation: flag).value
            }
        }
    }

    /// Scans a plugin module for module-level mutable state (the contract checks' ambient_state): this
    /// host is started for it alone, and stopped after.
    func scanAmbientState(file: String) async -> Result<AmbientStateScan, DagstackError> {
        await BlockingIO.run { [self] _ in
            defer { stop() }
            return Result { () throws(DagstackError) in
                try start()
                let reply = try rawRequest("ambient_state", ["file": .string(file)], timeout: 30, plugin: nil, activity: "the ambient state scan")
                return AmbientStateScan(file: file, violations: (reply.value["violations"]?.arrayValue ?? []).map { v in
                    AmbientStateScan.Violation(
                        name: v["name"]?.stringValue ?? "?", line: v["line"]?.intValue ?? 0, severity: v["severity"]?.stringValue ?? "error",
                        message: v["message"]?.stringValue ?? "")
                })
            }
        }
    }

    // MARK: The runtime's own messages

    /// `lines` less the runtime's own messages, which are kept for `takeRuntimeMessages`.
    private func pluginLines(_ lines: [String]) -> [String] {
        guard let isRuntimeMessage = launcher.isRuntimeMessage else { return lines }
        var plugin: [String] = []
        var runtime: [String] = []
        for line in lines {
            if isRuntimeMessage(line) { runtime.append(line) } else { plugin.append(line) }
        }
        if !runtime.isEmpty { runtimeMessages.withLock { $0 += runtime } }
        return plugin
    }

    /// What the runtime itself wrote on stderr since it was last asked (Node's inspector, started by
    /// `kill -USR1` on the host): lines that came with a call's output, and those written since,
    /// taken out of what waits for the next call.
    public func takeRuntimeMessages() -> [String] {
        let since = launcher.isRuntimeMessage.flatMap { isRuntimeMessage in
            state.withLock { $0.channel }?.process.stderr.extract(where: isRuntimeMessage)
        } ?? []
        return runtimeMessages.withLock { taken in
            defer { taken = [] }
            return taken + since
        }
    }

    // MARK: Stopping

    /// Interpreters being stopped in the background (`stopInBackground`).
    private static let exiting = DispatchGroup()

    /// Stops the interpreter on an I/O thread: its plugins were torn down already, and a reload need
    /// not wait for the interpreter's own exit (Python's finalisation is several milliseconds).
    /// `waitForExits()` waits for every one of them (the console does before it exits).
    public func stopInBackground() {
        Self.exiting.enter()
        // A thread of its own, as `Pending` explains: dispatch's few would delay the next load.
        Thread.detachNewThread { [self] in
            stop()
            Self.exiting.leave()
        }
    }

    /// Waits until every interpreter stopped in the background has exited.
    public static func waitForExits() async {
        await BlockingIO.run { _ in exiting.wait() }
    }

    /// Asks the interpreter to exit, then makes sure it has (SIGTERM, then SIGKILL).
    public func stop() {
        guard let channel = state.withLock({ s in
            s.stopping = true
            defer { s.channel = nil }
            return s.channel
        }) else { return }
        if channel.process.isRunning { _ = try? channel.request("shutdown", params: nil, timeout: 2) }
        channel.process.terminate(grace: 2)
    }
}


