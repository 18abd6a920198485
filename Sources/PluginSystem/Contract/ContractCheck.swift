/// The contract checks, each protecting one runtime invariant (ADR-0003 and ADR-0005) and reporting
/// a violation under the name the seeds use for it.
public enum ContractCheck: String, Sendable, CaseIterable {
    case manifest
    case lifecycle
    case serialization
    case determinism
    case ambientState = "ambient_state"
    case chainSchema = "chain_schema"

    /// The invariant the check protects.
    public var invariant: String {
        switch self {
        case .manifest: "the manifest is valid and declares what the runtime needs; business plugins keep priority < 1000 (ADR-0003 #4, #5, #7; ADR-0005)"
        case .lifecycle: "set-up then teardown leaves nothing behind: no child process, no open file, no live task or instance (ADR-0003 #3)"
        case .serialization: "every hook's inputs and outputs survive a JSON round trip unchanged (ADR-0003 #2)"
        case .determinism: "the same input gives the same output with a frozen clock and a seeded rng (ADR-0003 #8)"
        case .ambientState: "no module-level mutable state: state lives in the instance or in resources (ADR-0003 #1)"
        case .chainSchema: "a chain stage's output fits the next stage's input schema (ADR-0002 §4)"
        }
    }

    /// The name a violation is reported under (the seed's finding names).
    public var violation: String {
        switch self {
        case .manifest: "ManifestInvalid"
        case .lifecycle: "LeakDetected"
        case .serialization: "SerializationError"
        case .determinism: "DeterminismError"
        case .ambientState: "AmbientStateViolation"
        case .chainSchema: "DispatchMismatch"
        }
    }
}

/// How one check went for one plugin. A check that could not run says why: it never passes silently.
public struct ContractFinding: Sendable {
    public enum Status: String, Sendable { case pass, fail, notRun = "not_run" }

    public var check: ContractCheck
    public var status: Status
    /// What was found, or why the check did not run.
    public var message: String
    /// What to change to pass.
    public var fix: String?
    /// Details: one line per problem (with line numbers for ambient state).
    public var details: [String]

    public init(check: ContractCheck, status: Status, message: String, fix: String? = nil, details: [String] = []) {
        self.check = check
        self.status = status
        self.message = message
        self.fix = fix
        self.details = details
    }

    public var json: JSONValue {
        var o: JSONObject = [
            "check": .string(check.rawValue), "status": .string(status.rawValue), "invariant": .string(check.invariant),
            "message": .string(message),
        ]
        if status == .fail { o["violation"] = .string(check.violation) }
        if let fix { o["fix"] = .string(fix) }
        if !details.isEmpty { o["details"] = .array(details.map(JSONValue.string)) }
        return .object(o)
    }
}

/// Every check's finding for one plugin.
public struct ContractReport: Sendable {
    public var plugin: String
    public var findings: [ContractFinding]

    public init(plugin: String, findings: [ContractFinding]) {
        self.plugin = plugin
        self.findings = findings
    }

    /// No check failed (checks that did not run do not fail the suite, and are listed).
    public var passed: Bool { !findings.contains { $0.status == .fail } }

    public var json: JSONValue {
        ["plugin": .string(plugin), "passed": .bool(passed), "findings": .array(findings.map(\.json))]
    }

    /// `Contract suite for 'x': 4/6 passed` and one line per check, as the reference's `summary()`.
    public var summary: String {
        let passedCount = findings.filter { $0.status == .pass }.count
        var lines = ["Contract suite for '\(plugin)': \(passedCount)/\(findings.count) checks passed"]
        for f in findings {
            let tag = switch f.status { case .pass: "PASS"; case .fail: "FAIL"; case .notRun: "NOT RUN" }
            lines.append("  [\(tag)] \(f.check.rawValue)" + (f.status == .fail ? " — \(f.check.violation): \(f.message)" : f.message.isEmpty ? "" : " — \(f.message)"))
            if f.status == .fail {
                for d in f.details { lines.append("      \(d)") }
                if let fix = f.fix { lines.append("      fix: \(fix)") }
            }
        }
        return lines.joined(separator: "\n")
    }
}
