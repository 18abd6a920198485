import Foundation
import OrderedCollections
import PluginSystem
import Synchronization

/// A plugin in any language, run as a child process speaking newline-delimited JSON-RPC 2.0 over
/// stdio (`runtime = "mcp_stdio"`); the wire is documented in docs/stdio-protocol.md. The process
/// is started at set-up (or while the directory loads, see `startEarly`) and stopped at teardown.
public final class StdioPlugin: Plugin {
    public let manifest: PluginManifest
    public let folder: String
    let callTimeout: Double
    /// Hooks the kind's spec declares, assumed when the plugin's `initialize` result lists none.
    let specHooks: Set<String>?

    private struct State {
        var channel: JSONRPCChannel?
        var hooks: Set<String>?
        var serverInfo: JSONValue?
        /// The program started before set-up, not yet used (see `startEarly`).
        var early: Pending<Result<ChildProcess, DagstackError>>?
    }

    private let state = Mutex(State())
    /// What the process wrote outside its calls: in set-up, between calls, in teardown.
    private let output = PhaseOutputLog()

    public var phaseOutput: [PhaseOutput] { output.all }

    /// The registry whose services the process may ask for (get_plugin, the http client...).
    let registry: WeakRegistry?

    public convenience init(manifest: PluginManifest, folder: String, callTimeout: Double, specHooks: Set<String>?) {
        self.init(manifest: manifest, folder: folder, callTimeout: callTimeout, specHooks: specHooks, registry: nil)
    }

    init(manifest: PluginManifest, folder: String, callTimeout: Double, specHooks: Set<String>?, registry: WeakRegistry?) {
        self.manifest = manifest
        self.folder = folder
        self.callTimeout = callTimeout
        self.specHooks = specHooks
        self.registry = registry
    }

    /// The argv to run: `command`, or the reference's fallback of `entry_point` split on spaces.
    public var command: [String] { manifest.command ?? (manifest.entryPoint ?? "").split(separator: " ").map(String.init) }

    /// Why the manifest's `command` or `working_dir` reaches outside the plugin folder, if it does.
    /// A relative path may not climb out with `..`; a program found on PATH (a bare name) or an
    /// absolute path is the manifest being explicit about an executable, and is allowed.
    static func escapesFolder(_ manifest: PluginManifest, folder: String) -> String? {
        let root = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath().path
        func inside(_ relative: String, from base: String) -> Bool {
            let resolved = URL(fileURLWithPath: base + "/" + relative).standardizedFileURL.resolvingSymlinksInPath().path
            return resolved == root || resolved.hasPrefix(root + "/")
        }
        var base = root
        if let dir = manifest.workingDir, !dir.hasPrefix("/") {
            guard inside(dir, from: root) else {
                return "Plugin '\(manifest.name)': working_dir '\(dir)' (\(manifest.source)) reaches outside the plugin folder; use a folder inside it or an absolute path"
            }
            base = URL(fileURLWithPath: root + "/" + dir).standardizedFileURL.path
        } else if let dir = manifest.workingDir {
            base = dir
        }
        let command = manifest.command ?? (manifest.entryPoint ?? "").split(separator: " ").map(String.init)
        // The program's folder must be inside; the program itself may be a link out of it, as a
        // virtualenv's `.venv/bin/python` is (the folder's author put the link there).
        func programInside(_ relative: String, from base: String) -> Bool {
            let folder = URL(fileURLWithPath: base + "/" + relative).standardizedFileURL.deletingLastPathComponent()
                .resolvingSymlinksInPath().path
            return folder == root || folder.hasPrefix(root + "/")
        }
        if let program = command.first, program.contains("/"), !program.hasPrefix("/"), base.hasPrefix(root), !programInside(program, from: base) {
            return "Plugin '\(manifest.name)': command '\(program)' (\(manifest.source)) reaches outside the plugin folder; use a program inside it, a program on PATH, or an absolute path"
        }
        return nil
    }

    /// Starts the manifest's program: `command` (or `entry_point` split on spaces) in `working_dir`
    /// (the plugin folder by default), with `env` added to the console's environment (the reference
    /// replaces it; the docs add).
    static func spawn(_ manifest: PluginManifest, folder: String) throws(DagstackError) -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in manifest.env ?? [:] { environment[key] = value }
        let command = manifest.command ?? (manifest.entryPoint ?? "").split(separator: " ").map(String.init)
        let directory = manifest.workingDir.map { $0.hasPrefix("/") ? $0 : folder + "/" + $0 } ?? folder
        return try ChildProcess(command: command, environment: environment, workingDirectory: directory)
    }

    /// Starts the program now, while the directory's other plugins load; set-up then only says
    /// `initialize` to it. A program's own start (Perl's, Python's) is most of a stdio plugin's
    /// set-up, and would otherwise wait for every plugin set up before it. Only for a plugin without
    /// `depends_on`: one with dependencies may count on their set-up having happened before its
    /// program starts (docs/runtime.md, "When a stdio plugin's program starts").
    func startEarly() {
        guard manifest.dependsOn.isEmpty else { return }
        let (manifest, folder) = (manifest, folder)
        // Spawning takes a few milliseconds of the console's own: not on the loading thread either.
        let started = Pending { Result { () throws(DagstackError) in try Self.spawn(manifest, folder: folder) } }
        state.withLock { $0.early = started }
    }

    /// A plugin dropped before its set-up (a name registered twice) leaves no program running.
    deinit { discardEarlyStart() }

    /// Stops a program started early that set-up never used (the plugin was not set up).
    func discardEarlyStart() {
        guard case .success(let process)? = state.withLock({ s in defer { s.early = nil }; return s.early })?.take() else { return }
        process.terminate(grace: 0.2)
    }

    /// The host's requests carry the manifest's limits and stop the plugin when they pass.
    public var enforcesTimeLimits: Bool { true }

    public func implements(_ hook: String) -> Bool {
        if let declared = state.withLock({ $0.hooks }) { return declared.contains(hook) }
        if manifest.isMiddleware && (hook == "before" || hook == "after") { return true }
        return specHooks?.contains(hook) ?? true
    }

    public var hookNames: [String]? { state.withLock { $0.hooks?.sorted() } }

    public var serverInfo: JSONValue? { state.withLock { $0.serverInfo } }

    /// The plugin process's pid (not its keeper's), while it runs.
    public var pid: Int32? { state.withLock { $0.channel?.process.programPID } }

    public func setup(_ context: PluginContext) async throws {
        let early = state.withLock { s in defer { s.early = nil }; return s.early }
        let process = try early?.take()?.get() ?? Self.spawn(manifest, folder: folder)
        let channel = JSONRPCChannel(
            process: process, peer: registry.map { PluginServices(registry: $0, plugin: manifest.name) }, debugger: .stdioPlugin)
        state.withLock { $0.channel = channel }
        let params = HookWire.initializeParams(manifest, context)
        let limit = Double(manifest.startupTimeoutSec)
        let reply: JSONRPCChannel.Reply
        let exchange = await BlockingIO.run { flag in
            Result { () throws(RPCFailure) in try channel.request("initialize", params: params, timeout: limit, cancellation: flag) }
        }
        do {
            reply = try exchange.get()
        } catch {
            process.terminate(grace: 0.5)
            var failure = error.error(
                plugin: manifest.name, activity: "the initialize handshake", process: process, timeout: limit,
                limitName: "startup_timeout_sec")
            failure.message = "MCP initialize handshake failed for \(command): \(failure.message)"
            failure.logs = channel.takeUnansweredOutput()
            output.add(.setup, failure.logs)
            throw failure
        }
        // What it wrote while starting belongs to its set-up, not to its first call.
        output.add(.setup, reply.logs + process.stderr.drain(includingPartialLine: true).map { PluginLog(stream: "stderr", text: $0) })
        guard case .object(let result) = reply.result else {
            process.terminate(grace: 0.5)
            throw DagstackError(
                .pluginLoadError, "MCP initialize returned non-dict for plugin '\(manifest.name)': \(reply.result.encoded())",
                plugin: manifest.name)
        }
        state.withLock { s in
            s.serverInfo = result["server_info"] ?? result["serverInfo"]
            if let hooks = result["hooks"]?.arrayValue { s.hooks = Set(hooks.compactMap(\.stringValue)) }
        }
    }

    public func call(_ hook: String, _ arguments: HookArguments, context: HookContext) async throws -> HookReply {
        guard let channel = state.withLock({ $0.channel }) else {
            throw DagstackError(.pluginLoadError, "Plugin '\(manifest.name)' is not running", plugin: manifest.name)
        }
        // What it wrote since the last call was written while idle: not this call's output.
        output.add(.idle, channel.process.stderr.drain(includingPartialLine: true).map { PluginLog(stream: "stderr", text: $0) })
        do {
            let reply = try await channel.exchange(hook, params: HookWire.callParams(arguments, context), timeout: callTimeout)
            let stderrLines = channel.process.stderr.drain(includingPartialLine: true).map { PluginLog(stream: "stderr", text: $0) }
            return HookReply(HookOutput(wire: reply.result), logs: reply.logs + stderrLines)
        } catch {
            var failure = error.error(
                plugin: manifest.name, activity: "\(context.kind).\(hook)", process: channel.process, timeout: callTimeout,
                limitName: "--call-timeout")
            // No answer: what it sent and wrote to stderr before hanging or dying is what the user needs.
            if error.stopsPeer { failure.logs = channel.takeUnansweredOutput() }
            if failure.pluginStopped { channel.process.terminate(grace: 0.2) }
            throw failure
        }
    }

    public func teardown() async throws {
        guard let channel = state.withLock({ s in defer { s.channel = nil }; return s.channel }) else { return }
        // As the reference: `shutdown` (its answer bounded by min(startup timeout, 5 s)), then SIGTERM,
        // then SIGKILL; errors from a peer that is already gone are not the user's problem.
        let limit = min(Double(manifest.startupTimeoutSec), 5)
        let said = await BlockingIO.run { _ in
            let reply = channel.process.isRunning ? try? channel.request("shutdown", params: nil, timeout: limit) : nil
            channel.process.terminate(grace: 2)
            channel.process.stderr.waitForClose(seconds: 0.5)
            return (reply?.logs ?? []) + channel.process.stderr.drain(includingPartialLine: true).map { PluginLog(stream: "stderr", text: $0) }
        }
        output.add(.teardown, said)
    }

    /// Teardown for the contract checks: `shutdown` and end of input, then up to
    /// `teardown_timeout_sec` for the process to leave by itself. What it leaves is reported (a
    /// process that needed a signal, its own children still running); then everything is stopped.
    public func contractTeardown() async -> [String] {
        guard let channel = state.withLock({ s in defer { s.channel = nil }; return s.channel }) else { return [] }
        let limit = Double(manifest.teardownTimeoutSec)
        let name = manifest.name
        return await BlockingIO.run { _ in
            let process = channel.process
            let family = ProcessTree.descendants(of: process.pid)
            _ = try? channel.request("shutdown", params: nil, timeout: min(limit, 5))
            process.closeInput()
            process.waitForExit(seconds: limit)
            var leaks: [String] = []
            if process.isRunning {
                leaks.append("Plugin '\(name)' process did not exit within \(Int(limit))s of `shutdown` and the end of its input (teardown_timeout_sec); it needed a signal")
            }
            for (pid, command) in family where ProcessTree.isAlive(pid) {
                leaks.append("child process still running after the plugin exited: pid \(pid) (\(command))")
            }
            process.terminate(grace: 0.5)
            return leaks
        }
    }

    public func terminate() async {
        discardEarlyStart()
        guard let channel = state.withLock({ s in defer { s.channel = nil }; return s.channel }) else { return }
        await BlockingIO.run { _ in channel.process.terminate(grace: 0.2) }
    }
}
