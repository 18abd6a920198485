/// The eight runtime-contract invariants every plugin must satisfy (ADR-0003), by number.
public enum Invariant: Int, Sendable, CaseIterable {
    case orchestrationNeutrality = 1
    case serializableBoundaries
    case resourcesViaDependencyInjection
    case executionModel
    case unitOfWork
    case progressAndCheckpointSinks
    case idempotencyModes
    case determinism

    /// The invariant's title in ADR-0003.
    public var name: String {
        switch self {
        case .orchestrationNeutrality: "orchestration neutrality (no ambient state)"
        case .serializableBoundaries: "serializable boundaries"
        case .resourcesViaDependencyInjection: "resources via dependency injection"
        case .executionModel: "execution_model declared"
        case .unitOfWork: "unit of work for long-running plugins"
        case .progressAndCheckpointSinks: "progress and checkpoint only through the sinks"
        case .idempotencyModes: "idempotency modes"
        case .determinism: "determinism"
        }
    }

    public var json: JSONValue { ["number": .int(rawValue), "name": .string(name)] }
}

/// The contract checks, each protecting one or more invariants of ADR-0003 (and the manifest rules of
/// ADR-0005) and reporting a violation under the name the seeds use for it.
public enum ContractCheck: String, Sendable, CaseIterable {
    case manifest
    case lifecycle
    case serialization
    case determinism
    case ambientState = "ambient_state"
    case chainSchema = "chain_schema"
    case executionModel = "execution_model"
    case unitOfWork = "unit_of_work"
    case checkpointResume = "checkpoint_resume"
    case idempotency

    /// The ADR-0003 invariants the check gives evidence for.
    public var invariants: [Invariant] {
        switch self {
        case .manifest: []  // the manifest rules (ADR-0001 schema, ADR-0005 priority band); the loader checks #4/#5/#7's enums
        case .lifecycle: [.resourcesViaDependencyInjection]
        case .serialization, .chainSchema: [.serializableBoundaries]
        case .determinism: [.determinism]
        case .ambientState: [.orchestrationNeutrality]
        case .executionModel: [.executionModel]
        case .unitOfWork: [.unitOfWork]
        case .checkpointResume: [.progressAndCheckpointSinks]
        case .idempotency: [.idempotencyModes]
        }
    }

    /// What the check protects, in a sentence.
    public var invariant: String {
        switch self {
        case .manifest: "the manifest is valid (ADR-0001 schema, with ADR-0003's execution_model, unit_of_work and idempotency_mode values); business plugins keep priority < 1000 (ADR-0005)"
        case .lifecycle: "what set-up acquires, teardown releases: no open file, socket or pipe, no thread, child process or task, no live instance (ADR-0003 #3)"
        case .serialization: "every hook's inputs and outputs survive a JSON round trip unchanged (ADR-0003 #2)"
        case .determinism: "the same input gives the same output with a frozen clock and a seeded rng (ADR-0003 #8)"
        case .ambientState: "no module-level or class-level mutable state, no environment read outside set-up (ADR-0003 #1)"
        case .chainSchema: "a chain stage's output fits the next stage's input schema (ADR-0003 #2, ADR-0002 §4)"
        case .executionModel: "an async plugin does not block its event loop; a sync one does not return coroutines (ADR-0003 #4)"
        case .unitOfWork: "a declared unit of work names its partition key and duration, and its inputs carry the key (ADR-0003 #5)"
        case .checkpointResume: "progress and checkpoints go through ctx.progress and ctx.checkpoint as JSON, and a run resumed after a crash equals a single pass (ADR-0003 #6)"
        case .idempotency: "idempotency_mode = input_hash: the same input twice gives the same output and no second side effect (ADR-0003 #7)"
        }
    }

    /// The name a violation is reported under (the seed's finding names where it has one).
    public var violation: String {
        switch self {
        case .manifest: "ManifestInvalid"
        case .lifecycle: "LeakDetected"
        case .serialization: "SerializationError"
        case .determinism: "DeterminismError"
        case .ambientState: "AmbientStateViolation"
        case .chainSchema: "DispatchMismatch"
        case .executionModel: "ExecutionModelViolation"
        case .unitOfWork: "UnitOfWorkViolation"
        case .checkpointResume: "ResumeMismatch"
        case .idempotency: "IdempotencyViolation"
        }
    }
}

/// How one check went for one plugin. A check that could not run says why, and so does one that
/// cannot apply to the plugin: neither passes silently. (An `Error` so a check can end early with it.)
public struct ContractFinding: Error, Sendable {
    public enum Status: String, Sendable {
        case pass, fail
        /// The check applies but got no evidence (no samples, a sample for an unknown hook, Ctrl-C).
        case notRun = "not_run"
        /// The check cannot apply to this plugin (its runtime, or what its manifest declares), and why.
        case notApplicable = "not_applicable"
    }

    public var check: ContractCheck
    public var status: Status
    /// What was found, or why the check did not run or does not apply.
    public var message: String
    /// What to change to pass.
    public var fix: String?
    /// Details: one line per problem, or the warnings of a check that passed.
    public var details: [String]
    /// What a failure is reported as: the check's violation, or `HookFailed` when the samples it
    /// needed raised or timed out (the hook is broken; what the check looks for was never seen).
    public var violation: String

    public init(check: ContractCheck, status: Status, message: String, fix: String? = nil, details: [String] = [], violation: String? = nil) {
        self.check = check
        self.status = status
        self.message = message
        self.fix = fix
        self.details = details
        self.violation = violation ?? check.violation
    }

    /// The violation name of a check whose samples raised or timed out.
    public static let hookFailed = "HookFailed"

    public var json: JSONValue {
        var o: JSONObject = [
            "check": .string(check.rawValue), "status": .string(status.rawValue), "invariant": .string(check.invariant),
            "invariants": .array(check.invariants.map(\.json)), "message": .string(message),
        ]
        if status == .fail { o["violation"] = .string(violation) }
        if let fix { o["fix"] = .string(fix) }
        if !details.isEmpty { o["details"] = .array(details.map(JSONValue.string)) }
        return .object(o)
    }
}
