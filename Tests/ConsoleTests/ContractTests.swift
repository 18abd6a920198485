import Foundation
import PluginSystem
import Testing
import TestSupport

/// The contract suite from the console: each deliberately bad plugin is caught under the right name,
/// and every shipped plugin passes.
@Suite struct ContractTests {
    static let faults = "Tests/Fixtures/contract-faults"

    func report(_ plugin: String, directory: String = faults, extra: [String] = []) async throws -> (status: Int32, report: JSONValue) {
        let line = (["contract", plugin] + extra).joined(separator: " ")
        let result = try await run(consoleBinary, [directory, "--json", "-c", line], environment: ProcessInfo.processInfo.environment,
                             workingDirectory: packageRoot)
        return (result.status, try JSONValue.parse(result.stdout)["reports"]?[0] ?? .null)
    }

    func finding(_ report: JSONValue, _ check: String) -> JSONValue? {
        report["findings"]?.arrayValue?.first { $0["check"]?.stringValue == check }
    }

    @Test(arguments: [
        ("global-dict", "ambient_state", "AmbientStateViolation"),
        ("leaks-child", "lifecycle", "LeakDetected"),
        ("tuple-return", "serialization", "SerializationError"),
        ("random-output", "determinism", "DeterminismError"),
        ("loud-business", "manifest", "ManifestInvalid"),
        ("schema-mismatch", "chain_schema", "DispatchMismatch"),
    ])
    func eachBadPluginIsCaughtUnderTheRightName(plugin: String, check: String, violation: String) async throws {
        let (status, report) = try await report(plugin)
        #expect(status == 1)
        #expect(report["passed"] == false)
        let failed = report["findings"]!.arrayValue!.filter { $0["status"] == "fail" }
        #expect(failed.map { $0["check"]!.stringValue! } == [check], "\(report)")
        #expect(failed.first?["violation"]?.stringValue == violation)
        #expect(failed.first?["invariant"]?.stringValue?.isEmpty == false)
        #expect(failed.first?["fix"]?.stringValue?.isEmpty == false)
    }

    @Test func findingsSayWhatWasFound() async throws {
        let ambient = try #require(finding(try await report("global-dict").report, "ambient_state"))
        #expect(ambient["details"] == [.string("ERROR \(Self.faults)/global-dict/plugin.py:1: 'seen' — module-level mutable state is shared by every instance and outlives teardown")])
        let leak = try #require(finding(try await report("leaks-child").report, "lifecycle"))
        #expect(leak["details"]?[0]?.stringValue?.hasPrefix("child process still running: pid ") == true)
        #expect(leak["details"]?[0]?.stringValue?.hasSuffix("(sleep 300)") == true)
        let tuple = try #require(finding(try await report("tuple-return").report, "serialization"))
        #expect(tuple["message"]?.stringValue?.hasSuffix("$.pair: a tuple comes back from JSON as a list; return a list") == true)
        let loud = try #require(finding(try await report("loud-business").report, "manifest"))
        #expect(loud["message"] == "priority 1500 is in the middleware band (>= 1000) but the plugin has no [plugin.chain_wrap]")
    }

    @Test func checksWithoutSamplesSayTheyDidNotRun() async throws {
        let (status, report) = try await report("tuple-return", extra: ["--check", "manifest", "--check", "chain_schema"])
        #expect(status == 0)
        #expect(report["findings"]?.arrayValue?.map { "\($0["check"]!.stringValue!):\($0["status"]!.stringValue!)" } == ["manifest:pass", "chain_schema:not_run"])
        let dir = TempDir()
        dir.plugin("bare", name: "bare")
        dir.write("bare/plugin.py", "class Bare:\n    def work(self, ctx, x):\n        return x\n")
        let bare = try await self.report("bare", directory: dir.path, extra: ["--check", "determinism"])
        #expect(bare.report["findings"]?[0]?["status"] == "not_run")
        #expect(bare.report["findings"]?[0]?["message"]?.stringValue?.hasPrefix("no sample inputs:") == true)
        let given = try await self.report("bare", directory: dir.path, extra: ["--check", "determinism", "--sample", #"'work={"x": [1, 2]}'"#])
        #expect(given.report["findings"]?[0]?["status"] == "pass")
        let spaced = try await self.report("bare", directory: dir.path, extra: ["--check", "serialization", "--sample", #"'work={"x": {"text": "two words"}}'"#])
        #expect(spaced.report["findings"]?[0]?["status"] == "pass", "\(spaced.report)")
        #expect(spaced.report["findings"]?[0]?["message"] == "1 sample(s)")
    }

    @Test func everyShippedPluginPassesAndABrokenManifestFailsTheDirectory() async throws {
        let shipped = try await run(consoleBinary, ["--contract", "plugins", "--json"], environment: ProcessInfo.processInfo.environment,
                              workingDirectory: packageRoot)
        #expect(shipped.status == 0, "\(shipped.stdout)")
        let doc = try JSONValue.parse(shipped.stdout)
        #expect(doc["reports"]?.arrayValue?.count == 7)
        #expect(doc["reports"]?.arrayValue?.allSatisfy { $0["passed"] == true } == true)
        let faults = try await run(consoleBinary, ["--contract", Self.faults], environment: ProcessInfo.processInfo.environment, workingDirectory: packageRoot)
        #expect(faults.status == 1)
        #expect(faults.stdout.contains("Contract suite for 'clean': 5/6 checks passed"))
        let dir = TempDir()
        dir.write("broken/dagstack.toml", "[plugin\n")
        let broken = try await run(consoleBinary, ["--contract", dir.path], environment: ProcessInfo.processInfo.environment, workingDirectory: packageRoot)
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("[FAIL] manifest — ManifestInvalid: Malformed TOML at \(dir.path)/broken/dagstack.toml:1:"))
    }
}
