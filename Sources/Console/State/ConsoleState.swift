import Foundation
import Inspector
import OrderedCollections
import PluginHosts
import PluginSystem

/// The console's state between commands: the loaded directory, and what the user changed at run
/// time (switched-off plugins, priority overrides, resource values). Those changes are a view over
/// the registry, re-applied after every reload, never written to manifests.
public actor ConsoleState {
    public struct Options: Sendable {
        public var callTimeout: Double = 30
        public var python: String = ProcessInfo.processInfo.environment["DAGSTACK_PYTHON"] ?? "python3"
        /// `--resource` values from the command line.
        public var resources: OrderedDictionary<String, JSONValue> = [:]
        public var swiftPlugins = SwiftPluginCatalog()
        /// `--config FILE`: an application config read after the directory's own.
        public var configFile: String?
        /// `--blob-store DIR`: the blob_store folder (else a fresh temporary one per load).
        public var blobStore: String?
        /// Whether pdb in plugin code gets the console's terminal: only when the console is typed at.
        public var debugger = DebuggerAccess.noTerminal
        /// A person types at the prompt (a terminal, no `-c`): a replay may stop at their breakpoints
        /// and hand them the walk. A script or a pipe has nobody to hand it to.
        public var interactive = false
        /// Whether commands that run plugins say when a plugin's files changed since it was loaded
        /// (a replay's own console does not look: it loaded what it replays against a moment ago).
        public var noticesEdits = true
        public init() {}
    }

    public let options: Options
    private(set) var directory: PluginDirectory?
    private(set) var path: String?
    private(set) var disabled: Set<String> = []
    private(set) var priorities: [String: Int] = [:]
    /// Values set with `resource set` during this session.
    private(set) var sessionResources: OrderedDictionary<String, JSONValue> = [:]
    /// What tearing the previous directory down raised, for the next load's summary to report.
    var teardownErrors: DagstackError?
    /// What the plugins of the previous load wrote in their teardown, for the same summary.
    var teardownOutput: [(plugin: String, logs: [PluginLog])] = []
    /// Config values set with `config set` during this session, as a tree over the files'.
    private(set) var sessionConfig: JSONObject = [:]
    /// The last trace (its kind, hook and input are in it), so `reload` can run it again and show what changed.
    var lastTrace: TraceResult?
    /// How the user steered the walk that gave `lastTrace`, if they did (`set`, `skip`, `back`).
    var lastTraceSteering: String?
    /// The chain being walked (`step`, or a trace that stopped at a breakpoint), if any.
    var stepper: ChainStepper?
    /// Breakpoints, the last finished walk (`back`, `goto`, `history`, `blame` reach it) and the
    /// last dispatch of each hook (`why`).
    var debugger = DebuggerState()
    /// Where the live progress line goes while a stage runs, when stderr is a terminal.
    var progress: (any TraceProgress)?
    /// Where commands are being recorded, if anywhere.
    var recorder: SessionRecorder?
    /// Sees every HTTP request the loaded plugins make: kept while recording, answered from the
    /// recording while replaying.
    public let httpCassette = HTTPCassette()
    /// The HTTP exchanges of the last load's set-up, for a recording's header.
    private(set) var setupHTTP: [HTTPExchange] = []
    /// The recording being walked with `replay FILE --step`, if any.
    var replayer: SessionReplayer?
    /// What the loaded plugins' folders held when they were loaded.
    private(set) var loadedCode = LoadedCode()
    /// The last error a command reported for a plugin: what `pm` looks at when no plugin is named.
    var lastFailure: DagstackError?
    /// `watch` is running commands on each change: nothing it runs may wait for the user.
    private(set) var watching = false
    /// How many commands have started: a spare interpreter is started only once none has for a moment.
    var commandsStarted = 0
    /// The interpreter the next `reload` takes, started after each load while a person is at the
    /// prompt or `watch` runs (each reload then skips the interpreter's own start).
    let spares: SpareInterpreters

    /// The version recorded in session files.
    public static let toolVersion = "0.1.0"

    public init(options: Options = Options()) {
        self.options = options
        spares = SpareInterpreters(enabled: options.interactive)
    }

    /// Shows the live progress line while stages run (the console does when stderr is a terminal).
    func showProgress(on progress: any TraceProgress) { self.progress = progress }

    var registry: PluginRegistry? { directory?.registry }

    /// The registry, or an error telling the user to load a directory first.
    func requireRegistry() throws(ConsoleError) -> PluginRegistry {
        guard let registry else { throw ConsoleError("no plugin directory is loaded; use `load DIR`") }
        return registry
    }

    var loadOptions: PluginDirectory.Options {
        var o = PluginDirectory.Options()
        o.callTimeout = options.callTimeout
        o.python = options.python
        o.swiftPlugins = options.swiftPlugins
        o.resources = options.resources
        for (name, value) in sessionResources { o.resources[name] = value }
        o.configFile = options.configFile
        o.blobStore = options.blobStore
        o.configOverrides = sessionConfig
        o.httpCassette = httpCassette
        o.debugger = options.debugger
        o.spares = spares
        return o
    }

    /// Loads `path` in place of what is loaded now (which is torn down first). A recording goes on:
    /// `load`, `reload` and `resource set` are the heart of the edit-reload loop it records.
    @discardableResult
    func load(_ path: String) async -> PluginDirectory {
        let sameDirectory = path == self.path
        if let current = directory {
            directory = nil
            // The old interpreters finish exiting while the new ones load.
            teardownErrors = await current.close(awaitingExit: false)
            teardownOutput = current.registry.records.compactMap { record in
                let logs = (record.instance?.phaseOutput ?? []).filter { $0.phase == .teardown }.flatMap(\.logs)
                return logs.isEmpty ? nil : (record.name, logs)
            }
        }
        // The set-up's requests are kept for a recording started later; a load inside a recorded or
        // replayed command (`reload`) belongs to that command's exchanges.
        let own = httpCassette.isIdle
        if own { httpCassette.capture() }
        let loaded = await PluginDirectory.load(path, options: loadOptions)
        if own { setupHTTP = httpCassette.finish().made }
        directory = loaded
        self.path = path
        loadedCode = options.noticesEdits ? LoadedCode(loaded.registry) : LoadedCode()
        reapplySwitches()
        // The directory read again (`reload`, `resource set`): a walk goes on with the new code.
        // Another directory ends it.
        debugger.walkNote = sameDirectory ? rebindWalks(to: loaded.registry) : endWalks()
        return loaded
    }

    /// Tears everything down. Returns teardown errors, if any.
    @discardableResult
    public func close() async -> DagstackError? {
        _ = endWalks()
        recorder?.close()
        recorder = nil
        if let walk = replayer {
            replayer = nil
            _ = await walk.report(close: true)
        }
        defer { spares.stopAll() }
        guard let current = directory else {
            await InterpreterHost.waitForExits()
            return nil
        }
        directory = nil
        let failure = await current.close()
        await InterpreterHost.waitForExits()
        return failure
    }

    private func reapplySwitches() {
        guard let registry else { return }
        for name in disabled where registry.record(named: name) != nil { try? registry.setEnabled(name, false) }
        for (name, priority) in priorities where registry.record(named: name) != nil { try? registry.setPriority(name, priority) }
    }

    func setEnabled(_ name: String, _ enabled: Bool) throws(ConsoleError) {
        let registry = try requireRegistry()
        do { try registry.setEnabled(name, enabled) } catch { throw ConsoleError(error) }
        if enabled { disabled.remove(name) } else { disabled.insert(name) }
    }

    func setPriority(_ name: String, _ priority: Int?) throws(ConsoleError) {
        let registry = try requireRegistry()
        do { try registry.setPriority(name, priority) } catch { throw ConsoleError(error) }
        priorities[name] = priority
    }

    func setResource(_ name: String, _ value: JSONValue) { sessionResources[name] = value }

    /// Starts the interpreter the next reload takes (see `spares`) once the console has been idle
    /// for `spareDelay` — not while a command runs: started during a reload, it would take the cores
    /// the set-up and the trace need; and a person's next reload is seconds away, while a script's
    /// commands follow each other at once. While watching, at once: the next save reloads.
    func keepSpareInterpreterReady() {
        guard spares.keepsReady else { return }
        guard !watching else {
            directory?.prepareSpareInterpreters()
            return
        }
        let started = commandsStarted
        Task {
            try? await Task.sleep(for: Self.spareDelay)
            prepareSpareIfIdle(since: started)
        }
    }

    static let spareDelay = Duration.seconds(1)

    private func prepareSpareIfIdle(since started: Int) {
        guard commandsStarted == started else { return }
        directory?.prepareSpareInterpreters()
    }

    func setWatching(_ on: Bool) {
        watching = on
        // Every change reloads: from now on the next interpreter is started before it is needed.
        spares.keepReady(on || options.interactive)
        if on { directory?.prepareSpareInterpreters() }
    }

    func setConfig(_ path: [String], _ value: JSONValue) { sessionConfig = AppConfig.setting(sessionConfig, path: path, to: value) }

    /// The state that changes what commands do, as recorded with each session entry.
    var switchesJSON: JSONValue {
        var o: JSONObject = [
            "disabled": .array(disabled.sorted().map(JSONValue.string)),
            "priorities": .object(JSONObject(uniqueKeysWithValues: priorities.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            "resources": .object(JSONObject(uniqueKeysWithValues: sessionResources.map { ($0.key, $0.value) })),
        ]
        // Secrets never reach a session file; a recording made before `config set` existed has no key.
        if !sessionConfig.isEmpty { o["config"] = .object(SecretMask.masked(sessionConfig)) }
        // Breakpoints change what a trace does; a recording made before them has no key.
        if !debugger.breakpoints.isEmpty { o["breakpoints"] = debugger.breakpointsJSON }
        return .object(o)
    }
}
