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
    @Test func bestEffortCollectKeepsEveryResultInOrderAndContinuesPastFailures() async throws {
        let registry = PluginRegistry()
        var handle = HookSpec(name: "handle", dispatch: .broadcastCollect)
        handle.errorPolicy = .bestEffort
        registry.kinds.register(KindSpec(kind: "tools", hooks: [handle]))
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
        #expect(outcome.policy == .bestEffort)
        #expect(outcome.notCalled.isEmpty)
    }

    /// ADR-0002 §2: without a declared policy a collect is fail-fast — the first failure ends it and
    /// the plugins after it are not called (and are listed, so nothing is hidden).
    @Test func collectIsFailFastByDefault() async throws {
        let log = CallLog()
        for spec in [nil, KindSpec(kind: "tools", hooks: [HookSpec(name: "handle", dispatch: .broadcastCollect)])] {
            let registry = PluginRegistry()
            if let spec { registry.kinds.register(spec) }
            try registry.register(manifest("first", kind: "tools", priority: 9), instance: answering("first", log: log))
            try registry.register(manifest("bad", kind: "tools", priority: 5), instance: SwiftPlugin(hooks: ["handle": { _, _ in
                throw Boom(text: "offline")
            }]))
            try registry.register(manifest("later", kind: "tools", priority: 1), instance: answering("later", log: log))
            try await registry.setupAll()
            let outcome = try await BroadcastCollectDispatcher(registry).dispatch("tools", "handle")
            #expect(outcome.policy == .failFast)
            #expect(outcome.answers.map(\.plugin) == ["first"])
            #expect(outcome.errors.map(\.plugin) == ["bad"])
            #expect(outcome.notCalled == ["later"])
        }
        #expect(log.all == ["first", "first"])
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
        // The error of 'throws' in matches() is kept, not swallowed.
        await #expect {
            try await d.dispatch("parser", "parse", HookArguments(named: ["path": "x.bin"]))
        } throws: { error in
            guard let error = error as? DagstackError else { return false }
            return error.code == .noCapabilityMatch && error.errors.map(\.plugin) == ["throws"]
                && error.message == "No plugin matched for capability dispatch 'parser'.'parse'. Candidates checked: 4. matches() raised in throws (counted as no match)."
        }

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
        // A call that falls through to the fallback cannot pick one of two (reported at load too).
        await #expect(throws: DagstackError(
            .ambiguousPlugin, "Kind 'parser' has 2 fallback plugins (f1, f2); at most one may set fallback = true")
        ) { try await CapabilityDispatcher(registry).dispatch("parser", "parse") }
        let filtered = CapabilityDispatcher(registry, filter: { $0.filter { $0.name != "f2" } })
        #expect(try await filtered.dispatch("parser", "parse").plugin == "f1")
    }

    /// guides/capability: the fallback's own `matches()` returns True ("it can handle anything"),
    /// yet a specialised plugin — even of lower priority — takes what its `supports_*` or `matches()`
    /// cover; the payload is found when passed as `payload=`.
    @Test func theFallbackComesLastWhateverItsMatchesSays() async throws {
        let registry = PluginRegistry()
        var fixed = manifest("fixed", kind: "chunker", priority: 10)
        fixed.fallback = true
        try registry.register(fixed, instance: parser("fixed", matches: true))
        var treeSitter = manifest("tree-sitter", kind: "chunker", priority: 5)
        treeSitter.supportsLanguages = ["python"]
        try registry.register(treeSitter, instance: SwiftPlugin(hooks: ["parse": { _, _ in .value("tree-sitter") }]))
        let wants = SwiftPlugin(hooks: [
            "parse": { _, _ in .value("rust") },
            "matches": { args, _ in .value(.bool(args.named["payload"]?["language"] == "rust")) },
        ])
        try registry.register(manifest("rust-chunker", kind: "chunker", priority: 1), instance: wants)
        try await registry.setupAll()
        let d = CapabilityDispatcher(registry)
        let python = try await d.dispatch("chunker", "parse", HookArguments(named: ["payload": ["language": "python", "content": "def f(): ..."]]))
        #expect(python.plugin == "tree-sitter")
        #expect(python.matchedBy == .supports("supports_languages:python"))
        let rust = try await d.dispatch("chunker", "parse", HookArguments(named: ["payload": ["language": "rust", "content": "fn f() {}"]]))
        #expect(rust.plugin == "rust-chunker")
        #expect(rust.matchedBy == .matches)
        let markdown = try await d.dispatch("chunker", "parse", HookArguments([["extension": ".md", "content": "# Hello"]]))
        #expect(markdown.plugin == "fixed")
        #expect(markdown.matchedBy == .fallback)
    }
}

@Suite struct DispatchProblemTests {
    @Test func aSingletonTieAndTwoFallbacksAreFoundWithoutACall() async throws {
        let registry = PluginRegistry(environment: [:])
        registry.kinds.register(KindSpec(kind: "payment", hooks: [HookSpec(name: "charge", dispatch: .singleton)]))
        registry.kinds.register(KindSpec(kind: "chunker", hooks: [HookSpec(name: "chunk", dispatch: .capability)]))
        let calls = CallLog()
        let counting = SwiftPlugin(hooks: ["charge": { _, ctx in calls.add(ctx.plugin); return .value(1) }])
        try registry.register(manifest("stripe", kind: "payment", priority: 10), instance: counting)
        try registry.register(manifest("paypal", kind: "payment", priority: 10), instance: counting)
        for name in ["a", "b"] {
            var m = manifest(name, kind: "chunker")
            m.fallback = true
            try registry.register(m, instance: SwiftPlugin(hooks: ["chunk": { _, _ in .value(1) }]))
        }
        try await registry.setupAll()
        #expect(registry.dispatchProblems().map { "\($0.kind).\($0.hook): \($0.error)" } == [
            "chunker.chunk: AmbiguousPlugin: Kind 'chunker' has 2 fallback plugins (a, b); at most one may set fallback = true",
            "payment.charge: AmbiguousPlugin: equal priority 10 for kind=payment (paypal, stripe), set DAGSTACK_ACTIVE_PAYMENT to disambiguate",
        ])
        #expect(calls.all.isEmpty)
        try registry.setPriority("stripe", 11)
        try registry.setEnabled("b", false)
        #expect(registry.dispatchProblems().isEmpty)
    }
}
