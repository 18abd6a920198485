/// Every check's finding for one plugin, and what they say about each invariant of ADR-0003.
public struct ContractReport: Sendable {
    public var plugin: String
    public var findings: [ContractFinding]

    public init(plugin: String, findings: [ContractFinding]) {
        self.plugin = plugin
        self.findings = findings
    }

    /// Every check passed or cannot apply: a check that failed or got no evidence fails the suite.
    public var passed: Bool { findings.allSatisfy { $0.status == .pass || $0.status == .notApplicable } }

    /// One invariant's standing: failed if a check for it failed, not run if one had no evidence,
    /// passed if one passed and the rest cannot apply, not applicable if none can.
    public struct InvariantStanding: Sendable {
        public var invariant: Invariant
        public var status: ContractFinding.Status
        public var checks: [ContractCheck]
        /// Why it cannot apply (the checks' reasons), when it cannot.
        public var reason: String?
    }

    /// Each of the eight invariants, from the checks that ran for it. An invariant no check ran for
    /// (a `--check` selection left them out) is `not_run`.
    public var invariants: [InvariantStanding] {
        Invariant.allCases.map { invariant in
            let relevant = findings.filter { $0.check.invariants.contains(invariant) }
            let statuses = relevant.map(\.status)
            let status: ContractFinding.Status =
                statuses.isEmpty ? .notRun
                : statuses.contains(.fail) ? .fail
                : statuses.contains(.notRun) ? .notRun
                : statuses.contains(.pass) ? .pass : .notApplicable
            let reason = status == .notApplicable ? relevant.map(\.message).joined(separator: "; ") : statuses.isEmpty ? "no check for it was run" : nil
            return InvariantStanding(invariant: invariant, status: status, checks: relevant.map(\.check), reason: reason)
        }
    }

    public var json: JSONValue {
        [
            "plugin": .string(plugin), "passed": .bool(passed), "findings": .array(findings.map(\.json)),
            "invariants": .array(invariants.map { standing in
                var o: JSONObject = [
                    "number": .int(standing.invariant.rawValue), "name": .string(standing.invariant.name),
                    "status": .string(standing.status.rawValue), "checks": .array(standing.checks.map { .string($0.rawValue) }),
                ]
                if let reason = standing.reason { o["reason"] = .string(reason) }
                return .object(o)
            }),
        ]
    }

    static func tag(_ status: ContractFinding.Status) -> String {
        switch status {
        case .pass: "PASS"
        case .fail: "FAIL"
        case .notRun: "NOT RUN"
        case .notApplicable: "N/A"
        }
    }

    /// `Contract suite for 'x': 4/6 checks passed`, one line per check (as the reference's `summary()`,
    /// with every problem and warning under its check), then the eight invariants.
    public var summary: String {
        let applicable = findings.filter { $0.status != .notApplicable }
        let passedCount = applicable.filter { $0.status == .pass }.count
        let notApplicable = findings.count - applicable.count
        var lines = ["Contract suite for '\(plugin)': \(passedCount)/\(applicable.count) checks passed"
                     + (notApplicable > 0 ? ", \(notApplicable) not applicable" : "")]
        for f in findings {
            lines.append("  [\(Self.tag(f.status))] \(f.check.rawValue)"
                         + (f.status == .fail ? " — \(f.violation): \(f.message)" : f.message.isEmpty ? "" : " — \(f.message)"))
            for d in f.details { lines.append("      \(d)") }
            if f.status == .fail, let fix = f.fix { lines.append("      fix: \(fix)") }
        }
        lines.append("  invariants (ADR-0003):")
        for standing in invariants {
            lines.append("    #\(standing.invariant.rawValue) \(standing.invariant.name): \(Self.tag(standing.status))"
                         + (standing.checks.isEmpty ? "" : " (\(standing.checks.map(\.rawValue).joined(separator: ", ")))"))
        }
        return lines.joined(separator: "\n")
    }
}
