/// What the contract suite needs from the host that runs a plugin's code (PluginHosts provides it
/// for Swift, Python and stdio plugins): fresh instances, what teardown left behind, and a scan of
/// module-level state.
public protocol ContractEnvironment: Sendable {
    /// The plugin freshly loaded (its dependencies too) and set up, alone in a new registry. With
    /// `deterministic`, the clock is frozen and the rng seeded.
    func load(_ plugin: String, deterministic: Bool) async throws(DagstackError) -> any ContractInstance
    /// Module-level mutable state in the plugin's code; nil when its runtime has no such notion.
    func ambientState(of plugin: String) async -> AmbientStateScan?
}

/// One fresh load of the plugin under test.
public protocol ContractInstance: Sendable {
    var registry: PluginRegistry { get }
    /// Tears everything down and says what was left behind.
    func tearDownAndInspect() async -> LeakInspection
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
