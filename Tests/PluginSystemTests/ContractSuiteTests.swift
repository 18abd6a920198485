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
        #expect(seeded.findings.map(\.status) == [.pass, .pass, .notRun])
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
            Contract suite for 'loud': 0/2 checks passed
              [FAIL] manifest — ManifestInvalid: priority 1500 is in the middleware band (>= 1000) but the plugin has no [plugin.chain_wrap]
                  fix: keep business plugins below priority 1000, or declare [plugin.chain_wrap] if this is middleware
              [NOT RUN] ambient_state — not a Python plugin: there is no module state to scan
            """)
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
