import Foundation
import Testing
@testable import PluginSystem

func answering(_ value: JSONValue, log: CallLog? = nil) -> SwiftPlugin {
    SwiftPlugin(hooks: ["handle": { _, ctx in log?.add(ctx.plugin); return .value(value) }])
}

@Suite struct SingletonDispatchTests {
    func registry(_ plugins: [(String, Int)], env: [String: String] = [:]) async throws -> PluginRegistry {
        let registry = PluginRegistry(environment: env)
        for (name, priority) in plugins {
            try registry.register(manifest(name, kind: "search", priority: priority), instance: answering(.string(name)))
        }
        try await registry.setupAll()
        return registry
    }

    @Test func highestPriorityAnswers() async throws {
        let answer = try await SingletonDispatcher(try await registry([("low", 1), ("high", 9)])).dispatch("search", "handle")
        #expect(answer.plugin == "high")
        #expect(answer.reply.output == .value("high"))
    }

    @Test func equalTopPriorityIsAmbiguous() async throws {
        let r = try await registry([("a", 5), ("b", 5), ("c", 1)])
        await #expect(throws: DagstackError(
            .ambiguousPlugin, "equal priority 5 for kind=search (a, b), set DAGSTACK_ACTIVE_SEARCH to disambiguate")
        ) { try await SingletonDispatcher(r).dispatch("search", "handle") }
    }

    @Test func environmentOverridePicksThePlugin() async throws {
        let r = try await registry([("a", 5), ("b", 5), ("c", 1)], env: ["DAGSTACK_ACTIVE_SEARCH": "c"])
        #expect(try await SingletonDispatcher(r).dispatch("search", "handle").plugin == "c")
        let wrong = try await registry([("a", 5)], env: ["DAGSTACK_ACTIVE_SEARCH": "zzz"])
        await #expect(throws: DagstackError(
            .kindUnknown, "DAGSTACK_ACTIVE_SEARCH=zzz names no active plugin of kind 'search' with hook 'handle'; available: ['a']")
        ) { try await SingletonDispatcher(wrong).dispatch("search", "handle") }
        #expect(SingletonDispatcher.overrideVariable(for: "query-rewriter") == "DAGSTACK_ACTIVE_QUERY_REWRITER")
    }

    @Test func noPluginIsKindUnknown() async throws {
        await #expect(throws: DagstackError(.kindUnknown, "No plugins registered for kind 'search'")) {
            try await SingletonDispatcher(try await registry([])).dispatch("search", "handle")
        }
    }
}

@Suite struct BroadcastDispatchTests {
    @Test func collectKeepsEveryResultInOrderAndContinuesPastFailures() async throws {
        let registry = PluginRegistry()
        try registry.register(manifest("b", kind: "tools", priority: 5), instance: answering(["tool": "b"]))
        try registry.register(manifest("a", kind: "tools", priority: 5), instance: answering(["tool": "a"]))
        try registry.register(manifest("bad", kind: "tools", priority: 9), instance: SwiftPlugin(hooks: ["handle": { _, _ in
            throw Boom(text: "offline")
        }]))
        try registry.register(manifest("z", kind: "tools", priority: 1), instance: answering(["tool": "z"]))
        try await registry.setupAll()
        let outcome = try await BroadcastCollectDispatcher(registry).dispatch("tools", "handle")
        #expect(outcome.answers.map(\.plugin) == ["a", "b", "z"])
        #expect(outcome.answers.map(\.reply.output) == [.value(["tool": "a"]), .value(["tool": "b"]), .value(["tool": "z"])])
        #expect(outcome.errors.map(\.plugin) == ["bad"])
        #expect(outcome.error?.message == "broadcast dispatch raised in 1 plugin(s): bad: Plugin 'bad' failed in tools.handle: Boom: offline")
    }

    @Test func notifyTellsEveryoneAndSuppressesFailures() async throws {
        let log = CallLog()
        let registry = PluginRegistry()
        try registry.register(manifest("second", kind: "events", priority: 1), instance: answering(nil, log: log))
        try registry.register(manifest("failing", kind: "events", priority: 2), instance: SwiftPlugin(hooks: ["handle": { _, _ in
            log.add("failing")
            throw Boom(text: "x")
        }]))
        try registry.register(manifest("first", kind: "events", priority: 3), instance: answering(nil, log: log))
        try await registry.setupAll()
        let outcome = try await BroadcastNotifyDispatcher(registry).dispatch("events", "handle", HookArguments(["saved"]))
        #expect(log.all == ["first", "failing", "second"])
        #expect(outcome.notified.map(\.plugin) == ["first", "second"])
        #expect(outcome.errors.map(\.plugin) == ["failing"])
    }
}

@Suite struct CapabilityDispatchTests {
    func parser(_ name: String, matches: Bool? = nil, matchesThrows: Bool = false) -> SwiftPlugin {
        var hooks: [String: SwiftPlugin.Hook] = ["parse": { _, _ in .value(.string(name)) }]
        if let matches { hooks["matches"] = { _, _ in .value(.bool(matches)) } }
        if matchesThrows { hooks["matches"] = { _, _ in throw Boom(text: "cannot tell") } }
        return SwiftPlugin(hooks: hooks)
    }

    @Test func matchesWinsThenSupportsTagsThenTheFallback() async throws {
        let registry = PluginRegistry()
        try registry.register(manifest("throws", kind: "parser", priority: 90), instance: parser("throws", matchesThrows: true))
        try registry.register(manifest("picky", kind: "parser", priority: 80), instance: parser("picky", matches: false))
        var python = manifest("python", kind: "parser", priority: 10)
        python.supportsExtensions = ["py"]
        python.supportsLanguages = ["Python"]
        try registry.register(python, instance: parser("python"))
        var markdown = manifest("markdown", kind: "parser", priority: 20)
        markdown.supportsMimeTypes = ["text/*"]
        try registry.register(markdown, instance: parser("markdown"))
        var plain = manifest("plain", kind: "parser", priority: 0)
        plain.fallback = true
        try registry.register(plain, instance: parser("plain"))
        try await registry.setupAll()
        let d = CapabilityDispatcher(registry)

        let byPath = try await d.dispatch("parser", "parse", HookArguments(named: ["path": "src/main.PY"]))
        #expect(byPath.plugin == "python")
        #expect(byPath.matchedBy == .supports("supports_extensions:.py"))
        #expect(try await d.dispatch("parser", "parse", HookArguments([["language": "python"]])).matchedBy == .supports("supports_languages:python"))
        let byMime = try await d.dispatch("parser", "parse", HookArguments(named: ["mime_type": "text/markdown"]))
        #expect(byMime.plugin == "markdown")
        let fallback = try await d.dispatch("parser", "parse", HookArguments(named: ["path": "x.bin"]))
        #expect(fallback.plugin == "plain")
        #expect(fallback.matchedBy == .fallback)
        #expect(fallback.reply.output == .value("plain"))

        try registry.setEnabled("plain", false)
        await #expect(throws: DagstackError(
            .noCapabilityMatch, "No plugin matched for capability dispatch 'parser'.'parse'. Candidates checked: 4.")
        ) { try await d.dispatch("parser", "parse", HookArguments(named: ["path": "x.bin"])) }

        try registry.register(manifest("eager", kind: "parser", priority: 50), instance: parser("eager", matches: true))
        try await registry.setupAll()
        let eager = try await d.dispatch("parser", "parse", HookArguments(named: ["path": "a.py"]))
        #expect(eager.plugin == "eager")
        #expect(eager.matchedBy == .matches)
    }

    @Test func twoFallbacksAreAmbiguousAndAMatchWithoutTheHookIsReported() async throws {
        let registry = PluginRegistry()
        for name in ["f1", "f2"] {
            var m = manifest(name, kind: "parser")
            m.fallback = true
            try registry.register(m, instance: parser(name))
        }
        try registry.register(manifest("hookless", kind: "parser", priority: 5), instance: SwiftPlugin(hooks: ["matches": { _, _ in .value(true) }]))
        try await registry.setupAll()
        await #expect(throws: DagstackError(.noCapabilityMatch, "Plugin 'hookless' matched but has no hook method 'parse'.", plugin: "hookless")) {
            try await CapabilityDispatcher(registry).dispatch("parser", "parse")
        }
        try registry.setEnabled("hookless", false)
        await #expect(throws: DagstackError(
            .ambiguousPlugin, "Kind 'parser' has 2 fallback plugins (f1, f2); at most one may set fallback = true")
        ) { try await CapabilityDispatcher(registry).dispatch("parser", "parse") }
        let filtered = CapabilityDispatcher(registry, filter: { $0.filter { $0.name != "f2" } })
        #expect(try await filtered.dispatch("parser", "parse").plugin == "f1")
    }
}
