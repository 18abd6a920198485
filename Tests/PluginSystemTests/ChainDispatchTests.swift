import Foundation
import Testing
@testable import PluginSystem

/// The seed 004 chain written as Swift plugins: normalizer (100), synonymizer (50),
/// tenant-enricher (10), plus the blacklist.
enum SeedChain {
    static func normalizer() -> SwiftPlugin {
        SwiftPlugin(hooks: ["rewrite": { args, _ in
            var q = args.positional[0].objectValue!
            let lowered = q["text"]!.stringValue!.lowercased().trimmingCharacters(in: .whitespaces)
            q["text"] = .string(lowered.split(whereSeparator: \.isWhitespace).joined(separator: " "))
            return .value(.object(q))
        }])
    }

    static func synonymizer() -> SwiftPlugin {
        let synonyms = ["launch": "start", "setup": "configuration"]
        return SwiftPlugin(hooks: ["rewrite": { args, _ in
            var q = args.positional[0].objectValue!
            q["text"] = .string(q["text"]!.stringValue!.split(separator: " ").map { synonyms[String($0)] ?? String($0) }.joined(separator: " "))
            return .value(.object(q))
        }])
    }

    static func tenantEnricher() -> SwiftPlugin {
        let keywords = Mutex<JSONValue>(.null)
        return SwiftPlugin(
            hooks: ["rewrite": { args, _ in
                let query = args.positional[0]
                guard let tenant = query["tenant_id"]?.stringValue else { return .value(query) }
                let words = keywords.withLock { $0[tenant]?.arrayValue ?? [] }.compactMap(\.stringValue)
                guard !words.isEmpty, var q = query.objectValue else { return .value(query) }
                q["text"] = .string(q["text"]!.stringValue! + " " + words.joined(separator: " "))
                return .value(.object(q))
            }],
            setup: { ctx in
                guard case .value(let v)? = ctx.resourceRegistry.get("tenant_keywords") else { return }
                keywords.withLock { $0 = v }
            })
    }

    static func blacklist() -> SwiftPlugin {
        SwiftPlugin(hooks: ["rewrite": { args, _ in
            let text = args.positional[0]["text"]!.stringValue!.lowercased()
            return ["delete_database", "rm -rf"].contains(where: text.contains) ? .stopChain : .value(args.positional[0])
        }])
    }

    static func registry(blacklistPriority: Int? = nil) async throws -> PluginRegistry {
        let resources = ResourceRegistry()
        resources.registerStandard()
        try resources.register("tenant_keywords", .value(["acme-corp": ["microservices", "python"]]))
        let registry = PluginRegistry(resources: resources)
        try registry.register(manifest("normalizer", kind: "query_rewriter", priority: 100), instance: normalizer())
        try registry.register(manifest("synonymizer", kind: "query_rewriter", priority: 50), instance: synonymizer())
        try registry.register(manifest("tenant-enricher", kind: "query_rewriter", priority: 10), instance: tenantEnricher())
        if let blacklistPriority {
            try registry.register(manifest("blacklist", kind: "query_rewriter", priority: blacklistPriority), instance: blacklist())
        }
        try await registry.setupAll()
        return registry
    }

    static let query: JSONValue = ["text": "  How to LAUNCH dagstack?  ", "tenant_id": "acme-corp"]
}

import Synchronization

@Suite struct ChainDispatchTests {
    @Test func seedChainGivesTheSeedsResultStageByStage() async throws {
        let registry = try await SeedChain.registry()
        let outcome = try await ChainDispatcher(registry).dispatch("query_rewriter", "rewrite", initial: SeedChain.query)
        #expect(outcome.value == ["text": "how to start dagstack? microservices python", "tenant_id": "acme-corp"])
        #expect(outcome.answers.map(\.plugin) == ["normalizer", "synonymizer", "tenant-enricher"])
        #expect(outcome.answers.map { $0.reply.output.value?["text"] } == [
            "how to launch dagstack?", "how to start dagstack?", "how to start dagstack? microservices python",
        ])
        #expect(outcome.stoppedBy == nil)
    }

    @Test func stopChainReturnsTheValueFromBeforeThatStage() async throws {
        let registry = try await SeedChain.registry(blacklistPriority: 75)
        let input: JSONValue = ["text": "  Please RM -RF everything ", "tenant_id": "acme-corp"]
        let outcome = try await ChainDispatcher(registry).dispatch("query_rewriter", "rewrite", initial: input)
        #expect(outcome.stoppedBy == "blacklist")
        #expect(outcome.value == ["text": "please rm -rf everything", "tenant_id": "acme-corp"])
        #expect(outcome.answers.map(\.plugin) == ["normalizer", "blacklist"])
    }

    @Test func stopChainFromTheFirstStageReturnsTheInitialValue() async throws {
        let registry = try await SeedChain.registry(blacklistPriority: 500)
        let input: JSONValue = ["text": "delete_database now"]
        let outcome = try await ChainDispatcher(registry).dispatch("query_rewriter", "rewrite", initial: input)
        #expect(outcome.value == input)
        #expect(outcome.stoppedBy == "blacklist")
    }

    @Test func tiesAreOrderedByNameAndPluginsWithoutTheHookAreSkipped() async throws {
        let registry = PluginRegistry()
        for name in ["delta", "alpha", "charlie"] { try registry.register(manifest(name, priority: 7), instance: appender(name)) }
        try registry.register(manifest("bravo", priority: 7), instance: SwiftPlugin(hooks: ["other": { _, _ in .value(nil) }]))
        try await registry.setupAll()
        let outcome = try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: ["text": ""])
        #expect(outcome.value == ["text": "alphacharliedelta"])
    }

    @Test func anErrorAbortsTheChainAndNamesThePlugin() async throws {
        let log = CallLog()
        let registry = PluginRegistry()
        try registry.register(manifest("first", priority: 3), instance: appender("1", log: log))
        try registry.register(manifest("broken", priority: 2), instance: SwiftPlugin(hooks: ["rewrite": { _, _ in
            throw Boom(text: "bad input")
        }]))
        try registry.register(manifest("last", priority: 1), instance: appender("3", log: log))
        try await registry.setupAll()
        await #expect(throws: DagstackError(
            .pluginError, "Plugin 'broken' failed in k.rewrite: Boom: bad input", plugin: "broken", exceptionType: "Boom")
        ) { try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: ["text": ""]) }
        #expect(log.all == ["first.rewrite"])
    }

    @Test func noCandidatesReturnsTheInitialValue() async throws {
        let registry = PluginRegistry()
        #expect(try await ChainDispatcher(registry).dispatch("nobody", "rewrite", initial: 42).value == 42)
    }

    @Test func failedAndDisabledPluginsAreNeverDispatchedTo() async throws {
        let registry = PluginRegistry()
        try registry.register(manifest("broken-setup", priority: 9), instance: SwiftPlugin(
            hooks: ["rewrite": { _, _ in Issue.record("a failed plugin was called"); return .value(nil) }],
            setup: { _ in throw Boom(text: "x") }))
        try registry.register(manifest("off", priority: 8), instance: appender("off"))
        try registry.register(manifest("on", priority: 1), instance: appender("on"))
        try await registry.setupAll()
        try registry.setEnabled("off", false)
        #expect(try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: ["text": ""]).value == ["text": "on"])
    }

    @Test func outputSchemaViolationIsDispatchMismatchNamingPluginAndTypes() async throws {
        let registry = PluginRegistry()
        let schema = JSONSchema(["type": "object", "required": ["text"], "properties": ["text": ["type": "string"]]], source: "schemas/query.json")
        registry.kinds.register(KindSpec(kind: "k", hooks: [HookSpec(name: "rewrite", dispatch: .chain, outputSchema: schema)]))
        try registry.register(manifest("good", priority: 2), instance: appender("!"))
        try registry.register(manifest("stringly", priority: 1), instance: SwiftPlugin(hooks: ["rewrite": { _, _ in .value("oops") }]))
        try await registry.setupAll()
        var expected = DagstackError(
            .dispatchMismatch, "Plugin 'stringly' returned string \"oops\", expected object (k.rewrite output_schema schemas/query.json)",
            plugin: "stringly")
        expected.returned = "oops"  // what the plugin returned, for a trace to show
        await #expect(throws: expected) { try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: ["text": "hi"]) }
    }

    @Test func dispatchingWithTheWrongClassIsDispatchMismatch() async throws {
        let registry = PluginRegistry()
        registry.kinds.register(KindSpec(kind: "k", hooks: [HookSpec(name: "rewrite", dispatch: .chain)], source: "kinds/k/v1.yaml"))
        await #expect(throws: DagstackError(
            .dispatchMismatch,
            "Hook 'k'.'rewrite' is declared as dispatch='chain', but it was dispatched as 'broadcast_collect'. Use a matching dispatcher or correct the hook's `dispatch:` in kinds/k/v1.yaml.")
        ) { try await BroadcastCollectDispatcher(registry).dispatch("k", "rewrite") }
        await #expect(throws: DagstackError(.kindUnknown, "Kind 'k' has no hook 'nope'. Available hooks: ['rewrite']")) {
            try await ChainDispatcher(registry).dispatch("k", "nope", initial: nil)
        }
    }
}
