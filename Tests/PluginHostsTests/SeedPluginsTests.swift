import Foundation
import PluginHosts
import PluginSystem
import Testing
import TestSupport

/// The shipped plugins/ directory: the seeds' plugin files, unchanged, give the seeds' results.
@Suite(.serialized) struct SeedPluginsTests {
    static let query: JSONValue = ["text": "  How to LAUNCH dagstack?  ", "tenant_id": "acme-corp"]

    @Test func everyShippedPluginComesUpWithNothingSkipped() async throws {
        let dir = await PluginDirectory.load(packageRoot + "/plugins")
        defer { Task { await dir.close() } }
        #expect(dir.problems.isEmpty, "\(dir.problems)")
        #expect(dir.registry.records.map(\.name) == [
            "governance", "normalizer", "blacklist", "spellfix", "synonymizer", "tenant-enricher", "fixed",
        ])
        #expect(dir.registry.records.allSatisfy { $0.state == .active }, "\(dir.registry.records.map { ($0.name, $0.state) })")
        let normalizer = try #require(dir.registry.record(named: "normalizer")?.instance as? PythonPlugin)
        #expect(normalizer.loaded.inferred)
        #expect(normalizer.loaded.entryPoint == "plugin:Normalizer")
        let fixed = try #require(dir.registry.record(named: "fixed")?.instance as? PythonPlugin)
        #expect(!fixed.loaded.inferred)
        await dir.close()
    }

    @Test func seedChainGivesTheSeedResultStageByStage() async throws {
        let dir = await PluginDirectory.load(packageRoot + "/plugins")
        let outcome = try await ChainDispatcher(dir.registry).dispatch("query_rewriter", "rewrite", initial: Self.query)
        #expect(outcome.value["text"] == "how to start dagstack? microservices python")
        #expect(outcome.value["tenant_id"] == "acme-corp")
        #expect(outcome.answers.map(\.plugin) == ["normalizer", "blacklist", "spellfix", "synonymizer", "tenant-enricher"])
        #expect(outcome.answers.map { $0.reply.output.value?["text"]?.stringValue } == [
            "how to launch dagstack?", "how to launch dagstack?", "how to launch dagstack?", "how to start dagstack?",
            "how to start dagstack? microservices python",
        ])
        // The governance middleware wrapped every stage; its log lines travel with the stage.
        #expect(outcome.answers[0].reply.logs.map(\.text) == [
            "governance: audit: query_rewriter.rewrite -> normalizer", "governance: audit: query_rewriter.rewrite <- normalizer",
        ])
        await dir.close()
    }

    @Test func businessPluginsAloneGiveTheSeedResult() async throws {
        let dir = await PluginDirectory.load(packageRoot + "/plugins")
        try dir.registry.setEnabled("governance", false)
        try dir.registry.setEnabled("spellfix", false)
        let outcome = try await ChainDispatcher(dir.registry).dispatch("query_rewriter", "rewrite", initial: Self.query)
        #expect(outcome.value == ["text": "how to start dagstack? microservices python", "tenant_id": "acme-corp"])
        #expect(outcome.answers.allSatisfy { $0.reply.logs.isEmpty })
        await dir.close()
    }

    @Test func blacklistStopsTheChainAndThePerlStageFixesTypos() async throws {
        let dir = await PluginDirectory.load(packageRoot + "/plugins")
        let blocked = try await ChainDispatcher(dir.registry).dispatch(
            "query_rewriter", "rewrite", initial: ["text": "Please rm -rf /", "tenant_id": "acme-corp"])
        #expect(blocked.stoppedBy == "blacklist")
        #expect(blocked.value == ["text": "please rm -rf /", "tenant_id": "acme-corp"])
        let fixed = try await ChainDispatcher(dir.registry).dispatch("query_rewriter", "rewrite", initial: ["text": "launch dagstak"])
        #expect(fixed.value["text"] == "start dagstack")
        let spellfix = try #require(fixed.answers.first { $0.plugin == "spellfix" })
        #expect(spellfix.reply.logs.contains(PluginLog(stream: "log", level: "INFO", text: "spellfix: dagstak -> dagstack")))
        await dir.close()
    }

    @Test func seedChunkerGivesTheSeedPieces() async throws {
        let dir = await PluginDirectory.load(packageRoot + "/plugins")
        let answer = try await SingletonDispatcher(dir.registry).dispatch(
            "chunker", "chunk", HookArguments(named: ["text": "Hello, dagstack!", "max_size": 5]))
        #expect(answer.plugin == "fixed")
        let pieces = answer.reply.output.value?.arrayValue?.compactMap { $0["text"]?.stringValue }
        #expect(pieces == ["Hello", ", dag", "stack", "!"])
        #expect(answer.reply.output.value?.arrayValue?.map { $0["offset"] } == [0, 5, 10, 15])
        await #expect(throws: DagstackError.self) {
            try await SingletonDispatcher(dir.registry).dispatch("chunker", "chunk", HookArguments(["x", 0]))
        }
        do {
            _ = try await SingletonDispatcher(dir.registry).dispatch("chunker", "chunk", HookArguments(["x", 0]))
        } catch {
            #expect(error.code == .pluginError)
            #expect(error.plugin == "fixed")
            #expect(error.exceptionType == "ValueError")
            #expect(error.message == "Plugin 'fixed' failed in chunker.chunk: ValueError: max_size must be positive")
            #expect(error.traceback?.contains("raise ValueError(\"max_size must be positive\")") == true)
        }
        await dir.close()
    }

    @Test func teardownLeavesNoChildProcess() async throws {
        let dir = await PluginDirectory.load(packageRoot + "/plugins")
        let pythonPID = try #require(dir.pythonHost?.pid)
        let perlPID = try #require((dir.registry.record(named: "spellfix")?.instance as? StdioPlugin)?.pid)
        #expect(processExists(pythonPID) && processExists(perlPID))
        #expect(await dir.close() == nil)
        #expect(!processExists(pythonPID))
        #expect(!processExists(perlPID))
    }
}
