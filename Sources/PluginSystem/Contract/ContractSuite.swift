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
        var findings: [ContractFinding] = []
        for check in checks {
            switch check {
            case .manifest: findings.append(manifestCheck())
            case .lifecycle: findings.append(await lifecycleCheck())
            case .serialization: findings.append(await serializationCheck())
            case .determinism: findings.append(await determinismCheck())
            case .ambientState: findings.append(await ambientStateCheck())
            case .chainSchema: findings.append(await chainSchemaCheck())
            }
        }
        return ContractReport(plugin: manifest.name, findings: findings)
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
            return ContractFinding(check: .lifecycle, status: .notRun, message: inspection.note ?? "the host cannot inspect this plugin's resources")
        }
        var leaks = inspection.leaks
        if let error = inspection.teardownError { leaks.insert("teardown failed: \(error.errors.first?.message ?? error.message)", at: 0) }
        if took > .seconds(manifest.teardownTimeoutSec) {
            leaks.append("teardown took \(took) (teardown_timeout_sec = \(manifest.teardownTimeoutSec))")
        }
        guard leaks.isEmpty else {
            return ContractFinding(
                check: .lifecycle, status: .fail, message: "Plugin '\(manifest.name)' left \(leaks.count) thing(s) behind after teardown",
                fix: "release in teardown() everything setup() acquired: stop child processes, close files and sockets, cancel tasks",
                details: leaks)
        }
        return ContractFinding(check: .lifecycle, status: .pass, message: inspection.note ?? "")
    }

    func setupFailure(_ registry: PluginRegistry) -> String? {
        guard let record = registry.record(named: manifest.name) else { return "the plugin was not loaded" }
        if record.state == .active { return nil }
        return "set-up did not succeed: \(record.state.name)\(record.state.reason.map { " — \($0)" } ?? "")"
    }

    // MARK: running samples

    /// Runs every sample on a fresh instance; returns the outputs (or errors) in sample order.
    func runSamples(deterministic: Bool) async -> Result<[Result<HookReply, DagstackError>], DagstackError> {
        let instance: any ContractInstance
        do { instance = try await environment.load(manifest.name, deterministic: deterministic) } catch { return .failure(error) }
        if let reason = setupFailure(instance.registry) {
            _ = await instance.tearDownAndInspect()
            return .failure(DagstackError(.pluginLoadError, reason, plugin: manifest.name))
        }
        var outcomes: [Result<HookReply, DagstackError>] = []
        for sample in samples {
            let dispatch = kinds.spec(for: manifest.kind)?.hooks[sample.hook]?.dispatch
            do {
                outcomes.append(.success(try await instance.registry.call(
                    manifest.name, hook: sample.hook, arguments: sample.arguments(dispatch: dispatch),
                    metadata: [ContractSuite.strictKey: true])))
            } catch {
                outcomes.append(.failure(error))
            }
        }
        _ = await instance.tearDownAndInspect()
        return .success(outcomes)
    }

    /// Metadata that asks a host to refuse lossy conversions (a Python tuple becoming a list).
    public static let strictKey = "_dagstack_contract"

    var noSamples: String {
        "no sample inputs: add examples to the hooks of kinds/\(manifest.kind)/v1.yaml, [plugin.metadata.samples] to \(manifest.source), or pass --sample HOOK=JSON"
    }

    // MARK: serialization

    func serializationCheck() async -> ContractFinding {
        guard !samples.isEmpty else { return ContractFinding(check: .serialization, status: .notRun, message: noSamples) }
        var problems: [String] = []
        for sample in samples {
            let text = sample.input.encoded()
            if (try? JSONValue.parse(text)).map({ JSONDiffLite.equal($0, sample.input) }) != true {
                problems.append("\(sample.hook): the sample input does not survive a JSON round trip")
            }
        }
        switch await runSamples(deterministic: true) {
        case .failure(let error):
            return ContractFinding(check: .serialization, status: .fail, message: error.message, fix: "make the plugin load and set up")
        case .success(let outcomes):
            for (sample, outcome) in zip(samples, outcomes) {
                switch outcome {
                case .success(let reply):
                    guard case .value(let value) = reply.output else { continue }
                    if let path = JSONDiffLite.nonFinitePath(value) {
                        problems.append("\(sample.hook): \(path) is NaN or infinite, which JSON cannot carry")
                    } else if (try? JSONValue.parse(value.encoded())).map({ JSONDiffLite.equal($0, value) }) != true {
                        problems.append("\(sample.hook): the output changes in a JSON round trip")
                    }
                case .failure(let error) where error.code == .serializationError:
                    problems.append("\(sample.hook): \(error.message)")
                case .failure:
                    continue  // a hook that raises on a sample is the determinism check's business
                }
            }
        }
        guard problems.isEmpty else {
            return ContractFinding(
                check: .serialization, status: .fail, message: problems[0],
                fix: "use only dict/list/str/int/float/bool/None (or dataclasses of them) at the hook boundary: no tuples, sets, datetimes, NaN or non-string keys",
                details: Array(problems.dropFirst()))
        }
        return ContractFinding(check: .serialization, status: .pass, message: "\(samples.count) sample(s)")
    }

    // MARK: determinism

    func determinismCheck() async -> ContractFinding {
        guard !samples.isEmpty else { return ContractFinding(check: .determinism, status: .notRun, message: noSamples) }
        let first = await runSamples(deterministic: true), second = await runSamples(deterministic: true)
        guard case .success(let a) = first, case .success(let b) = second else {
            let error = (try? first.get()) == nil ? first : second
            if case .failure(let e) = error {
                return ContractFinding(check: .determinism, status: .fail, message: e.message, fix: "make the plugin load and set up")
            }
            return ContractFinding(check: .determinism, status: .fail, message: "could not run the samples")
        }
        var problems: [String] = []
        for (index, sample) in samples.enumerated() {
            let x = Self.describe(a[index]), y = Self.describe(b[index])
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

    static func describe(_ outcome: Result<HookReply, DagstackError>) -> String {
        switch outcome {
        case .success(let reply): reply.output.wire.encoded(sortedKeys: true)
        case .failure(let error): "\(error.exceptionType ?? error.code.rawValue): \(error.message)"
        }
    }

    // MARK: ambient state

    func ambientStateCheck() async -> ContractFinding {
        guard let scan = await environment.ambientState(of: manifest.name) else {
            return ContractFinding(check: .ambientState, status: .notRun, message: "not a Python plugin: there is no module state to scan")
        }
        if let failure = scan.failure {
            return ContractFinding(check: .ambientState, status: .notRun, message: "\(scan.file) could not be scanned: \(failure)")
        }
        let errors = scan.violations.filter { $0.severity == "error" }
        let lines = scan.violations.map { "\($0.severity.uppercased()) \(scan.file):\($0.line): '\($0.name)' — \($0.message)" }
        guard errors.isEmpty else {
            return ContractFinding(
                check: .ambientState, status: .fail,
                message: "\(scan.file) has \(errors.count) module-level mutable variable(s): \(errors.map { "'\($0.name)' (line \($0.line))" }.joined(separator: ", "))",
                fix: "keep state on the instance (set it in setup()) or in a resource; UPPER_CASE names are read as constants",
                details: lines)
        }
        return ContractFinding(check: .ambientState, status: .pass, message: lines.isEmpty ? "" : "\(lines.count) warning(s)", details: lines)
    }

    // MARK: chain schemas

    func chainSchemaCheck() async -> ContractFinding {
        guard let spec = kinds.spec(for: manifest.kind) else {
            return ContractFinding(check: .chainSchema, status: .notRun, message: "kind '\(manifest.kind)' has no hookspec")
        }
        let chains = spec.hooks.values.filter { $0.dispatch == .chain && $0.inputSchema != nil && $0.outputSchema != nil }
        guard !chains.isEmpty else {
            return ContractFinding(check: .chainSchema, status: .notRun, message: "kind '\(manifest.kind)' declares no chain hook with input and output schemas")
        }
        var problems: [String] = []
        for hook in chains {
            problems += SchemaCompatibility.problems(output: hook.outputSchema!, input: hook.inputSchema!).map { "\(hook.name): \($0)" }
        }
        let relevant = samples.filter { sample in chains.contains { $0.name == sample.hook } }
        if !relevant.isEmpty, case .success(let outcomes) = await runSamples(deterministic: true) {
            for (sample, outcome) in zip(samples, outcomes) {
                guard let hook = chains.first(where: { $0.name == sample.hook }), case .success(let reply) = outcome,
                    case .value(let value) = reply.output, let first = hook.inputSchema!.validate(value).first
                else { continue }
                problems.append("\(hook.name): the output for \(sample.input.encoded()) does not fit the next stage's input (\(hook.inputSchemaPath ?? "input_schema")): \(first)")
            }
        }
        guard problems.isEmpty else {
            return ContractFinding(
                check: .chainSchema, status: .fail, message: problems[0],
                fix: "return what the next stage accepts: the hook's output must fit its input schema", details: Array(problems.dropFirst()))
        }
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
