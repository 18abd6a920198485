import Foundation
import Synchronization
import Testing
@testable import PluginSystem

/// The suite with Swift plugins and an environment that builds fresh instances from a factory.
struct SwiftContractEnvironment: ContractEnvironment {
    let manifest: PluginManifest
    let make: @Sendable () -> SwiftPlugin

    func load(_ plugin: String, deterministic: Bool) async throws(DagstackError) -> any ContractInstance {
        let resources = ResourceRegistry()
        if deterministic { try resources.register("rng", .rng(SeededRng(seed: 42))) }
        resources.registerStandard()
        let registry = PluginRegistry(resources: resources)
        try registry.register(manifest, instance: make())
        try await registry.setupAll()
        return Instance(registry: registry)
    }

    func ambientState(of plugin: String) async -> AmbientStateScan? { nil }

    struct Instance: ContractInstance {
        let registry: PluginRegistry
        func tearDownAndInspect() async -> LeakInspection {
            do { try await registry.teardownAll() } catch { return LeakInspection(inspected: false, teardownError: error) }
            return LeakInspection(inspected: false, note: "Swift plugin")
        }
    }
}

@Suite struct ContractSuiteTests {
    func suite(_ manifest: PluginManifest, _ make: @escaping @Sendable () -> SwiftPlugin) -> ContractSuite {
        var m = manifest
        m.metadata = ["samples": ["work": [["x": 1]]]]
        return ContractSuite(environment: SwiftContractEnvironment(manifest: m, make: make), manifest: m, kinds: KindRegistry())
    }

    @Test func deterministicSeededPluginPassesAndAnUnseededOneFails() async throws {
        var m = PluginManifest(name: "dice", kind: "k")
        m.resources.required = ["rng"]
        let seeded = await suite(m) {
            SwiftPlugin(hooks: ["work": { _, ctx in .value(.int(ctx.resources.rng!.randint(1, 1_000_000))) }])
        }.run([.determinism, .serialization, .lifecycle])
        #expect(seeded.findings.map(\.status) == [.pass, .pass, .notApplicable])
        #expect(seeded.passed)
        let counter = Mutex(0)
        let drifting = await suite(PluginManifest(name: "drift", kind: "k")) {
            SwiftPlugin(hooks: ["work": { _, _ in .value(.int(counter.withLock { $0 += 1; return $0 })) }])
        }.run([.determinism])
        #expect(drifting.findings[0].status == .fail)
        #expect(drifting.findings[0].check.violation == "DeterminismError")
        #expect(drifting.findings[0].details == [#"work {"x":1}: run 1 gave 1, run 2 gave 2"#])
    }

    @Test func nanIsASerializationError() async throws {
        let report = await suite(PluginManifest(name: "nan", kind: "k")) {
            SwiftPlugin(hooks: ["work": { _, _ in .value(["ratio": .double(.nan)]) }])
        }.run([.serialization])
        #expect(report.findings[0].status == .fail)
        #expect(report.findings[0].message == "work: $.ratio is NaN or infinite, which JSON cannot carry")
    }

    @Test func summaryReadsLikeTheReferences() async {
        let report = await suite(PluginManifest(name: "loud", kind: "k", priority: 1500)) {
            SwiftPlugin(hooks: ["work": { args, _ in .value(.object(args.named)) }])
        }.run([.manifest, .ambientState])
        #expect(report.summary == """
            Contract suite for 'loud': 0/1 checks passed, 1 not applicable
              [FAIL] manifest — ManifestInvalid: priority 1500 is in the middleware band (>= 1000) but the plugin has no [plugin.chain_wrap]
                  fix: keep business plugins below priority 1000, or declare [plugin.chain_wrap] if this is middleware
              [N/A] ambient_state — a Swift plugin runs inside the console's own process: its module state and environment reads cannot be seen from the console; fresh instances in the determinism check compare what shows in its answers
              invariants (ADR-0003):
                #1 orchestration neutrality (no ambient state): N/A (ambient_state)
                #2 serializable boundaries: NOT RUN
                #3 resources via dependency injection: NOT RUN
                #4 execution_model declared: NOT RUN
                #5 unit of work for long-running plugins: NOT RUN
                #6 progress and checkpoint only through the sinks: NOT RUN
                #7 idempotency modes: NOT RUN
                #8 determinism: NOT RUN
            """)
        #expect(!report.passed)
    }

    /// Swift plugins through the library API: every check that can apply runs; the ones that need to
    /// look inside a runtime the console shares say why they cannot.
    @Test func aSwiftPluginGetsEveryCheckThatCanApply() async {
        let report = await suite(PluginManifest(name: "echo", kind: "k")) {
            SwiftPlugin(hooks: ["work": { args, _ in .value(.object(args.named)) }])
        }.run()
        #expect(report.findings.map { "\($0.check.rawValue):\($0.status.rawValue)" } == [
            "manifest:pass", "lifecycle:not_applicable", "serialization:pass", "determinism:pass", "ambient_state:not_applicable",
            "chain_schema:not_applicable", "execution_model:not_applicable", "unit_of_work:not_applicable",
            "checkpoint_resume:not_applicable", "idempotency:not_applicable",
        ])
        #expect(report.passed)
        #expect(report.invariants.map(\.status) == [.notApplicable, .pass, .notApplicable, .notApplicable, .notApplicable, .notApplicable, .notApplicable, .pass])
        #expect(report.findings.first { $0.check == .executionModel }?.message == "a Swift plugin runs inside the console's own process: how its hooks wait cannot be seen from the console")
    }

    @Test func aSwiftHookThatThrowsOnEverySampleIsOneFailureNotAPass() async {
        struct Boom: Error {}
        let report = await suite(PluginManifest(name: "boom", kind: "k")) {
            SwiftPlugin(hooks: ["work": { _, _ in throw Boom() }])
        }.run([.serialization, .determinism, .idempotency])
        #expect(report.findings.map(\.status) == [.fail, .notRun, .notApplicable])
        #expect(report.findings[0].violation == ContractFinding.hookFailed)
        #expect(report.findings[0].message.hasPrefix(#"every sample raised (1 of 1), so nothing was checked; the first: work {"x":1}: "#))
        #expect(report.findings[1].message.hasSuffix("(the serialization check's finding)"))
        #expect(!report.passed)
    }

    @Test func anInProcessOnlyPluginsHookValuesNeedNotBeJSON() async {
        var m = PluginManifest(name: "live", kind: "k")
        m.inProcessOnly = true
        let report = await suite(m) { SwiftPlugin(hooks: ["work": { _, _ in .value(["ratio": .double(.nan)]) }]) }.run([.serialization, .determinism])
        #expect(report.findings.map(\.status) == [.notApplicable, .pass])
        #expect(report.findings[0].message.hasPrefix("in_process_only = true: hook inputs and outputs may be live objects (ADR-0003 #2)"))
    }

    @Test func anInputHashSwiftPluginIsRunTwiceOnOneInstance() async {
        var m = PluginManifest(name: "tally", kind: "k")
        m.unitOfWork.idempotencyMode = .inputHash
        let calls = Mutex(0)
        let drifting = await suite(m) {
            SwiftPlugin(hooks: ["work": { _, _ in .value(.int(calls.withLock { $0 += 1; return $0 })) }])
        }.run([.idempotency])
        #expect(drifting.findings[0].status == .fail)
        #expect(drifting.findings[0].message == #"work {"x":1}: run 1 gave 1, run 2 on the same instance gave 2"#)
        let steady = await suite(m) { SwiftPlugin(hooks: ["work": { args, _ in .value(.object(args.named)) }]) }.run([.idempotency])
        #expect(steady.findings[0].status == .pass)
        #expect(steady.findings[0].message.hasSuffix("(side effects cannot be seen in this runtime)"))
    }

    @Test func schemaCompatibility() {
        let input = JSONSchema(["type": "object", "required": ["text"], "properties": ["text": ["type": "string"], "n": ["type": "number"]]])
        let same = JSONSchema(["type": "object", "required": ["text", "tenant"], "properties": ["text": ["type": "string"], "n": ["type": "integer"]]])
        #expect(SchemaCompatibility.problems(output: same, input: input).isEmpty)
        let loose = JSONSchema(["type": "object", "properties": ["text": ["type": ["string", "null"]]]])
        #expect(SchemaCompatibility.problems(output: loose, input: input) == [
            "/text is required by the input schema but not guaranteed by the output schema",
            "/text may be null, which the input schema does not accept (string)",
        ])
    }
}
