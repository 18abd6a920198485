import OrderedCollections

/// What the contract suite needs from the host that runs a plugin's code (PluginHosts provides it
/// for Swift, Python and stdio plugins): fresh instances, what teardown left behind, and a scan of
/// module-level state.
public protocol ContractEnvironment: Sendable {
    /// The plugin freshly loaded (its dependencies too) and set up, alone in a new registry. With
    /// `deterministic`, the clock is frozen and the rng seeded.
    func load(_ plugin: String, deterministic: Bool) async throws(DagstackError) -> any ContractInstance
    /// Module-level mutable state in the plugin's code; nil when its runtime has no such notion.
    func ambientState(of plugin: String) async -> AmbientStateScan?
    /// How the plugin's code runs, for messages about what cannot be seen of it ("a Swift plugin runs
    /// inside the console's own process"); nil to let the suite say it from the manifest.
    func runtimeDescription(of plugin: String) -> String?
}

extension ContractEnvironment {
    public func runtimeDescription(of plugin: String) -> String? { nil }
}

/// One fresh load of the plugin under test.
public protocol ContractInstance: Sendable {
    var registry: PluginRegistry { get }
    /// Starts watching what the plugin's hooks do besides answering (module state, environment,
    /// blocking calls, writes, the sinks). False when its runtime cannot be watched.
    func beginObservation(_ request: ObservationRequest) async -> Bool
    /// What was seen since `beginObservation`; nil when nothing could be watched.
    func endObservation() async -> HookObservation?
    /// Tears everything down and says what was left behind.
    func tearDownAndInspect() async -> LeakInspection
}

extension ContractInstance {
    /// A runtime that cannot be watched from the console (a separate process, Swift code).
    public func beginObservation(_ request: ObservationRequest) async -> Bool { false }
    public func endObservation() async -> HookObservation? { nil }
}

/// How to start watching: the checkpoint state to resume from, and whether to stop the plugin (as a
/// crash would) after its checkpoint store has taken that many saves.
public struct ObservationRequest: Sendable {
    public var checkpoint: JSONObject?
    public var crashAfterCheckpoints: Int?

    public init(checkpoint: JSONObject? = nil, crashAfterCheckpoints: Int? = nil) {
        self.checkpoint = checkpoint
        self.crashAfterCheckpoints = crashAfterCheckpoints
    }
}

/// What a plugin's hooks did besides answering, while watched.
public struct HookObservation: Sendable {
    public struct Call: Sendable {
        public var hook: String
        /// Environment variables read or written, with the plugin's line.
        public var environment: [String]
        /// Blocking sleeps, file and socket calls, with the plugin's line.
        public var blocking: [String]
        /// Side effects the suite can see: files opened for writing, checkpoint saves.
        public var writes: [String]
        /// The hook returned an awaitable (a coroutine, a promise) rather than a value.
        public var returnedAwaitable: Bool

        public init(hook: String, environment: [String] = [], blocking: [String] = [], writes: [String] = [], returnedAwaitable: Bool = false) {
            self.hook = hook
            self.environment = environment
            self.blocking = blocking
            self.writes = writes
            self.returnedAwaitable = returnedAwaitable
        }
    }

    public var calls: [Call]
    /// Module globals and class attributes of the plugin's code that the calls changed.
    public var stateChanges: [String]
    /// The checkpoint store's state at the end, by key.
    public var checkpoint: JSONObject
    public var checkpointSaves: [String]
    public var progress: [JSONValue]
    /// Checkpoint states or progress events JSON cannot carry.
    public var unserializable: [String]
    /// Whether the runtime gives the plugin the progress and checkpoint sinks (ctx.progress,
    /// ctx.checkpoint) at all: where it does not, nothing of them can be watched.
    public var sinksGiven: Bool
    /// The language the watched code is in, for the words of a finding (a coroutine or a promise).
    public var language: Language

    public enum Language: Sendable {
        case python, javaScript
    }

    public init(calls: [Call] = [], stateChanges: [String] = [], checkpoint: JSONObject = [:], checkpointSaves: [String] = [],
                progress: [JSONValue] = [], unserializable: [String] = [], sinksGiven: Bool = true, language: Language = .python) {
        self.calls = calls
        self.stateChanges = stateChanges
        self.checkpoint = checkpoint
        self.checkpointSaves = checkpointSaves
        self.progress = progress
        self.unserializable = unserializable
        self.sinksGiven = sinksGiven
        self.language = language
    }
}

/// What teardown left behind. `inspected` is false when the host cannot look (a Swift plugin).
public struct LeakInspection: Sendable {
    public var inspected: Bool
    public var leaks: [String]
    public var teardownError: DagstackError?
    public var note: String?

    public init(inspected: Bool, leaks: [String] = [], teardownError: DagstackError? = nil, note: String? = nil) {
        self.inspected = inspected
        self.leaks = leaks
        self.teardownError = teardownError
        self.note = note
    }
}

/// Module-level assignments of mutable values, as the reference's AST scan finds them.
public struct AmbientStateScan: Sendable {
    public struct Violation: Sendable {
        public var name: String
        public var line: Int
        /// `error` for lower-case names, `warning` for UPPER_CASE ones (constants by convention).
        public var severity: String
        public var message: String

        public init(name: String, line: Int, severity: String, message: String) {
            self.name = name
            self.line = line
            self.severity = severity
            self.message = message
        }
    }

    public var file: String
    public var violations: [Violation]
    /// Why the file could not be scanned, when it could not (the check then does not run).
    public var failure: String?

    public init(file: String, violations: [Violation], failure: String? = nil) {
        self.file = file
        self.violations = violations
        self.failure = failure
    }
}
