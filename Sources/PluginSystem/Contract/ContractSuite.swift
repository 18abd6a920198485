import Foundation

/// Runs the contract checks on one plugin. Each check is independent, reports pass, fail (with the
/// violated invariant, the seed's name for it and what to change) or not run (with why).
public struct ContractSuite: Sendable {
    public let environment: any ContractEnvironment
    public let manifest: PluginManifest
    public let kinds: KindRegistry
    public let samples: [ContractSample]

    public init(environment: any ContractEnvironment, manifest: PluginManifest, kinds: KindRegistry, extraSamples: [ContractSample] = []) {
        self.environment = environment
        self.manifest = manifest
        self.kinds = kinds
        samples = ContractSample.collect(for: manifest, kinds: kinds, extra: extraSamples)
    }

    public func run(_ checks: [ContractCheck] = ContractCheck.allCases) async -> ContractReport {
        let runs = SampleRuns()
        var findings: [ContractFinding] = []
        for check in checks {
            guard !Task.isCancelled else {
                findings.append(ContractFinding(check: check, status: .notRun, message: "interrupted (Ctrl-C) before this check ran"))
                continue
            }
            switch check {
            case .manifest: findings.append(manifestCheck())
            case .lifecycle: findings.append(await lifecycleCheck())
            case .serialization: findings.append(await serializationCheck(runs))
            case .determinism: findings.append(await determinismCheck(runs))
            case .ambientState: findings.append(await ambientStateCheck(runs))
            case .chainSchema: findings.append(await chainSchemaCheck(runs))
            case .executionModel: findings.append(await executionModelCheck(runs))
            case .unitOfWork: findings.append(unitOfWorkCheck())
            case .checkpointResume: findings.append(await checkpointResumeCheck(runs))
            case .idempotency: findings.append(await idempotencyCheck())
            }
        }
        return ContractReport(plugin: manifest.name, findings: findings)
    }

    /// The watched run of every sample on a fresh instance with a frozen clock and a seeded rng, made
    /// once and read by every check that needs answers (a hanging hook costs its time limit once).
    final class SampleRuns {
        var main: Result<SampleRun, DagstackError>?
        /// The check that reported the main run's failed samples (the others then say not run).
        var failureReportedBy: ContractCheck?
    }

    /// `run.missingEvidence`, remembering which check reported the main run's failures.
    func missingEvidence(_ run: SampleRun, for check: ContractCheck, _ runs: SampleRuns) -> ContractFinding? {
        let finding = run.missingEvidence(for: check, reportedBy: runs.failureReportedBy)
        if finding?.status == .fail, runs.failureReportedBy == nil { runs.failureReportedBy = check }
        return finding
    }

    /// The main run for `check`; a plugin that could not be loaded to make it fails the check.
    func mainRun(for check: ContractCheck, _ runs: SampleRuns) async throws(ContractFinding) -> SampleRun {
        let main: Result<SampleRun, DagstackError>
        if let made = runs.main {
            main = made
        } else {
            main = await runSamples(samples, observe: ObservationRequest())
            runs.main = main
        }
        return try main.mapError { loadFailure(check, $0) }.get()
    }

    /// A run of its own for `check` (see `runSamples`); a plugin that could not be loaded fails the check.
    func separateRun(
        for check: ContractCheck, _ samples: [ContractSample], observe: ObservationRequest? = nil, repeats: Int = 1
    ) async throws(ContractFinding) -> SampleRun {
        try await runSamples(samples, observe: observe, repeats: repeats).mapError { loadFailure(check, $0) }.get()
    }

    func loadFailure(_ check: ContractCheck, _ error: DagstackError) -> ContractFinding {
        ContractFinding(check: check, status: .fail, message: "the plugin could not be loaded and set up to run its samples: \(error.message)",
                        fix: "make the plugin load and set up")
    }

    // MARK: manifest

    func manifestCheck() -> ContractFinding {
        var problems: [String] = []
        if manifest.source != "<code>" {
            do { _ = try ManifestLoader.load(file: manifest.source) } catch { problems.append(error.message) }
        }
        do { try PluginRegistry().validate(manifest) } catch { problems.append(error.message) }
        let threshold = PluginManifest.middlewarePriorityThreshold
        if !manifest.isMiddleware && manifest.priority >= threshold {
            problems.append("priority \(manifest.priority) is in the middleware band (>= \(threshold)) but the plugin has no [plugin.chain_wrap]")
        }
        if manifest.isMiddleware && manifest.priority < threshold {
            problems.append("a [plugin.chain_wrap] middleware with priority \(manifest.priority), below the middleware band (>= \(threshold))")
        }
        guard problems.isEmpty else {
            return ContractFinding(
                check: .manifest, status: .fail, message: problems[0],
                fix: problems.contains { $0.contains("middleware band") }
                    ? "keep business plugins below priority \(threshold), or declare [plugin.chain_wrap] if this is middleware"
                    : "correct the field named above in \(manifest.source)",
                details: Array(problems.dropFirst()))
        }
        return ContractFinding(check: .manifest, status: .pass, message: "")
    }

    // MARK: lifecycle

    func lifecycleCheck() async -> ContractFinding {
        let instance: any ContractInstance
        do { instance = try await environment.load(manifest.name, deterministic: true) } catch {
            return ContractFinding(check: .lifecycle, status: .fail, message: "set-up failed: \(error.message)", fix: "make set-up succeed on its own")
        }
        if let reason = setupFailure(instance.registry) {
            _ = await instance.tearDownAndInspect()
            return ContractFinding(check: .lifecycle, status: .fail, message: reason, fix: "make set-up succeed with only its declared resources")
        }
        let started = ContinuousClock.now
        let inspection = await instance.tearDownAndInspect()
        let took = ContinuousClock.now - started
        guard inspection.inspected else {
            return ContractFinding(check: .lifecycle, status: .notApplicable, message: inspection.note ?? "the host cannot inspect this plugin's resources")
        }
        var leaks = inspection.leaks
        if let error = inspection.teardownError { leaks.insert("teardown failed: \(error.errors.first?.message ?? error.message)", at: 0) }
        if took > .seconds(manifest.teardownTimeoutSec) {
            leaks.append("teardown took \(took) (teardown_timeout_sec = \(manifest.teardownTimeoutSec))")
        }
        guard leaks.isEmpty else {
            return ContractFinding(
                check: .lifecycle, status: .fail, message: "Plugin '\(manifest.name)' left \(leaks.count) thing(s) behind after teardown: \(leaks[0])",
                fix: "release in teardown() everything setup() acquired: stop child processes, close files and sockets, join threads, cancel and await tasks",
                details: leaks)
        }
        return ContractFinding(check: .lifecycle, status: .pass, message: inspection.note ?? "")
    }

    func setupFailure(_ registry: PluginRegistry) -> String? {
        guard let record = registry.record(named: manifest.name) else { return "the plugin was not loaded" }
        if record.state == .active { return nil }
        return "set-up did not succeed: \(record.state.name)\(record.state.reason.map { " — \($0)" } ?? "")"
    }

    /// Metadata that asks a host to refuse lossy conversions (a Python tuple becoming a list).
    public static let strictKey = "_dagstack_contract"

    var noSamples: String {
        "no sample inputs: add examples to the hooks of kinds/\(manifest.kind)/v1.yaml, [plugin.metadata.samples] to \(manifest.source), or pass --sample HOOK=JSON"
    }

    // MARK: serialization

    func serializationCheck(_ runs: SampleRuns) async -> ContractFinding {
        if manifest.inProcessOnly {
            return ContractFinding(
                check: .serialization, status: .notApplicable,
                message: "in_process_only = true: hook inputs and outputs may be live objects (ADR-0003 #2); its checkpoints and progress must still be JSON (checkpoint_resume)")
        }
        guard !samples.isEmpty else { return ContractFinding(check: .serialization, status: .notRun, message: noSamples) }
        var problems: [String] = []
        for sample in samples {
            let text = sample.input.encoded()
            if (try? JSONValue.parse(text)).map({ JSONDiffLite.equal($0, sample.input) }) != true {
                problems.append("\(sample.hook): the sample input does not survive a JSON round trip")
            }
        }
        let run: SampleRun
        do { run = try await mainRun(for: .serialization, runs) } catch { return error }
        for (sample, outcome) in run.firstCalls {
            switch outcome {
            case .answered(let reply):
                guard case .value(let value) = reply.output else { continue }
                if let path = JSONDiffLite.nonFinitePath(value) {
                    problems.append("\(sample.hook): \(path) is NaN or infinite, which JSON cannot carry")
                } else if (try? JSONValue.parse(value.encoded())).map({ JSONDiffLite.equal($0, value) }) != true {
                    problems.append("\(sample.hook): the output changes in a JSON round trip")
                }
            case .failed(let error) where error.code == .serializationError:
                problems.append("\(sample.hook): \(error.message)")
            default: continue
            }
        }
        guard problems.isEmpty else {
            return ContractFinding(
                check: .serialization, status: .fail, message: problems[0],
                fix: "use only dict/list/str/int/float/bool/None (or dataclasses of them) at the hook boundary: no tuples, sets, datetimes, NaN or non-string keys",
                details: Array(problems.dropFirst()))
        }
        if let missing = missingEvidence(run, for: .serialization, runs) { return missing }
        return ContractFinding(check: .serialization, status: .pass, message: "\(samples.count) sample(s)")
    }

    // MARK: determinism

    func determinismCheck(_ runs: SampleRuns) async -> ContractFinding {
        if manifest.unitOfWork.declared && manifest.unitOfWork.idempotencyMode == .none {
            return ContractFinding(check: .determinism, status: .notApplicable,
                                   message: "the unit of work declares idempotency_mode = \"none\": its runs may give new results (invariant 8 binds output_hash plugins)")
        }
        guard !samples.isEmpty else { return ContractFinding(check: .determinism, status: .notRun, message: noSamples) }
        let first: SampleRun, second: SampleRun
        do { first = try await mainRun(for: .determinism, runs) } catch { return error }
        if let missing = missingEvidence(first, for: .determinism, runs) { return missing }
        do { second = try await separateRun(for: .determinism, samples) } catch { return error }
        if let missing = second.missingEvidence(for: .determinism) { return missing }
        var problems: [String] = []
        for (index, sample) in samples.enumerated() {
            let x = Self.describe(first.outcomes[index]), y = Self.describe(second.outcomes[index])
            if x != y { problems.append("\(sample.hook) \(sample.input.encoded()): run 1 gave \(x), run 2 gave \(y)") }
        }
        guard problems.isEmpty else {
            return ContractFinding(
                check: .determinism, status: .fail,
                message: "Plugin '\(manifest.name)' gave different outputs for the same input on two fresh instances",
                fix: "read time and randomness only through ctx.resources.clock and ctx.resources.rng (declare them in [plugin.resources]); iterate in sorted order",
                details: problems)
        }
        return ContractFinding(check: .determinism, status: .pass, message: "\(samples.count) sample(s), two fresh instances, frozen clock, seeded rng")
    }

    static func describe(_ outcome: SampleOutcome) -> String {
        switch outcome {
        case .answered(let reply): reply.output.wire.encoded(sortedKeys: true)
        case .failed(let error): SampleRun.describe(error)
        case .unknownHook(let reason): reason
        case .interrupted: "interrupted"
        }
    }

    // MARK: ambient state

    /// The source scan (module-level mutable values) and, while the samples run, what the hooks
    /// change in module globals and class attributes and which environment variables they read.
    func ambientStateCheck(_ runs: SampleRuns) async -> ContractFinding {
        guard let scan = await environment.ambientState(of: manifest.name) else {
            return ContractFinding(
                check: .ambientState, status: .notApplicable,
                message: "\(runtimeDescription): its module state and environment reads cannot be seen from the console; fresh instances in the determinism check compare what shows in its answers")
        }
        if let failure = scan.failure {
            return ContractFinding(check: .ambientState, status: .notRun, message: "\(scan.file) could not be scanned: \(failure)")
        }
        let errors = scan.violations.filter { $0.severity == "error" }
        let warnings = scan.violations.filter { $0.severity != "error" }.map { "WARNING \(scan.file):\($0.line): '\($0.name)' — \($0.message)" }
        var problems = errors.map { "ERROR \(scan.file):\($0.line): '\($0.name)' — \($0.message)" }
        var missing: ContractFinding?
        var watched = false
        if !samples.isEmpty {
            let run: SampleRun
            do { run = try await mainRun(for: .ambientState, runs) } catch { return error }
            missing = missingEvidence(run, for: .ambientState, runs)
            if let observation = run.observation {
                watched = true
                problems += observation.stateChanges.map { "\($0), by the sample calls: state outside the instance" }
                for call in observation.calls {
                    problems += call.environment.map { "\($0), in hook '\(call.hook)': read the environment in setup() and keep the value" }
                }
            }
        }
        var seen = Set<String>()
        problems = problems.filter { seen.insert($0).inserted }  // the same read in every call is one problem
        guard problems.isEmpty else {
            let message = errors.isEmpty
                ? "the hooks keep state outside the instance or read the environment: \(problems[0])"
                : "\(scan.file) has \(errors.count) module-level ambient state problem(s): \(errors.map { "'\($0.name)' (line \($0.line))" }.joined(separator: ", "))"
            return ContractFinding(
                check: .ambientState, status: .fail, message: message,
                fix: "keep state on the instance (set it in setup()) or in a resource; read environment variables in setup() only; UPPER_CASE names are read as constants: never mutate them",
                details: problems + warnings)
        }
        if let missing { return missing }
        let what = samples.isEmpty
            ? "source scanned; no samples, so what the hooks change at run time was not watched"
            : !watched
            ? "source scanned; \(runtimeDescription), so what the hooks change at run time was not watched"
            : "source scanned; \(samples.count) sample call(s) changed no module or class state and read no environment variable"
        return ContractFinding(check: .ambientState, status: .pass, message: warnings.isEmpty ? what : "\(what); \(warnings.count) warning(s)", details: warnings)
    }

    /// How the plugin runs, for messages about what cannot be seen.
    var runtimeDescription: String {
        if let described = environment.runtimeDescription(of: manifest.name) { return described }
        return switch manifest.runtime {
        case .inProcess: "a Swift plugin runs inside the console's own process"
        default: "a \(manifest.runtime.rawValue) plugin runs in its own process"
        }
    }

    // MARK: chain schemas

    func chainSchemaCheck(_ runs: SampleRuns) async -> ContractFinding {
        guard let spec = kinds.spec(for: manifest.kind) else {
            return ContractFinding(check: .chainSchema, status: .notApplicable, message: "kind '\(manifest.kind)' has no hookspec: there are no schemas to compare")
        }
        if manifest.inProcessOnly, let chain = spec.hooks.values.first(where: { $0.dispatch == .chain }) {
            return ContractFinding(
                check: .chainSchema, status: .fail,
                message: "'\(chain.name)' is a chain hook, but the plugin declares in_process_only = true: a chain stage's output is the next stage's input, a serialization point in every runtime (ADR-0003 #2)",
                fix: "remove in_process_only, and pass only JSON values between chain stages")
        }
        let chains = spec.hooks.values.filter { $0.dispatch == .chain && $0.inputSchema != nil && $0.outputSchema != nil }
        guard !chains.isEmpty else {
            return ContractFinding(check: .chainSchema, status: .notApplicable, message: "kind '\(manifest.kind)' declares no chain hook with input and output schemas")
        }
        var problems: [String] = []
        for hook in chains {
            problems += SchemaCompatibility.problems(output: hook.outputSchema!, input: hook.inputSchema!).map { "\(hook.name): \($0)" }
        }
        let relevant = samples.filter { sample in chains.contains { $0.name == sample.hook } }
        var missing: ContractFinding?
        if !relevant.isEmpty {
            let run: SampleRun
            do { run = try await mainRun(for: .chainSchema, runs) } catch { return error }
            for (sample, outcome) in run.firstCalls {
                guard let hook = chains.first(where: { $0.name == sample.hook }), case .answered(let reply) = outcome,
                    case .value(let value) = reply.output, let first = hook.inputSchema!.validate(value).first
                else { continue }
                problems.append("\(hook.name): the output for \(sample.input.encoded()) does not fit the next stage's input (\(hook.inputSchemaPath ?? "input_schema")): \(first)")
            }
            missing = missingEvidence(
                SampleRun(samples: relevant, outcomes: run.firstCalls.filter { call in relevant.contains { $0.hook == call.sample.hook } }.map(\.outcome)),
                for: .chainSchema, runs)
        }
        guard problems.isEmpty else {
            return ContractFinding(
                check: .chainSchema, status: .fail, message: problems[0],
                fix: "return what the next stage accepts: the hook's output must fit its input schema", details: Array(problems.dropFirst()))
        }
        if let missing { return missing }
        return ContractFinding(check: .chainSchema, status: .pass, message: relevant.isEmpty ? "schemas compatible (no samples to run)" : "schemas compatible; \(relevant.count) sample output(s) fit")
    }
}

/// Value checks the contract needs (kept apart from the Inspector, which depends on this module).
enum JSONDiffLite {
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool { a.numericallyEquals(b) }

    /// The path of the first NaN or infinite number in `value`.
    static func nonFinitePath(_ value: JSONValue, path: String = "$") -> String? {
        switch value {
        case .double(let d) where !d.isFinite: return path
        case .array(let a):
            for (i, v) in a.enumerated() { if let p = nonFinitePath(v, path: "\(path)[\(i)]") { return p } }
        case .object(let o):
            for (k, v) in o { if let p = nonFinitePath(v, path: "\(path).\(k)") { return p } }
        default: break
        }
        return nil
    }
}
