import Inspector
import PluginSystem
import Testing

@Suite struct BlameTests {
    /// normalizer lowercases /text; enricher appends " x"; a middleware `after` around `enricher` upper-cases it.
    func registry(middlewareRewrites: Bool) async throws -> PluginRegistry {
        let registry = PluginRegistry()
        func field(_ body: @escaping @Sendable (String) -> String) -> SwiftPlugin {
            SwiftPlugin(hooks: ["rewrite": { args, _ in
                var o = args.positional[0].objectValue!
                o["text"] = .string(body(o["text"]!.stringValue!))
                return .value(.object(o))
            }])
        }
        try registry.register(PluginManifest(name: "normalizer", kind: "q", priority: 3), instance: field { $0.lowercased() })
        try registry.register(PluginManifest(name: "same", kind: "q", priority: 2), instance: field { $0 })
        try registry.register(PluginManifest(name: "enricher", kind: "q", priority: 1), instance: field { $0 + " x" })
        var wrap = PluginManifest(name: "gov", kind: "horizontal_middleware", priority: 1000)
        wrap.chainWrap = .init(kinds: ["q"], hooks: ["rewrite"])
        try registry.register(wrap, instance: SwiftPlugin(hooks: [
            "before": { _, _ in .value(nil) },
            "after": { args, _ in
                guard middlewareRewrites, args.positional[1] == "enricher", var o = args.positional[3].objectValue else { return .value(nil) }
                o["text"] = .string(o["text"]!.stringValue!.uppercased())
                o["audited"] = true
                return .value(.object(o))
            },
        ]))
        try await registry.setupAll()
        return registry
    }

    @Test func everyChangeWithWhoMadeItAndTheStageThatProducedTheOutput() async throws {
        let trace = await ChainTracer(registry: try await registry(middlewareRewrites: false), kind: "q", hook: "rewrite").trace(["text": "Hi"])
        let report = BlameReport(path: JSONPointer(tokens: ["text"]), trace: trace)
        #expect(report.input == "Hi")
        #expect(report.changes.map { "\($0.position) \($0.by): \($0.before!) → \($0.after!)" } == [
            #"1 normalizer: "Hi" → "hi""#, #"3 enricher: "hi" → "hi x""#,
        ])
        #expect(report.producedBy == 1)
        #expect(report.output == "hi x")
        let untouched = BlameReport(path: JSONPointer(tokens: ["missing"]), trace: trace)
        #expect(untouched.changes.isEmpty && untouched.producedBy == nil && untouched.output == nil)
    }

    @Test func aMiddlewareChangeIsSeparatedFromThePlugins() async throws {
        let trace = await ChainTracer(registry: try await registry(middlewareRewrites: true), kind: "q", hook: "rewrite").trace(["text": "Hi"])
        let stage = trace.stages[2]
        #expect(stage.plugin == "enricher")
        #expect(stage.pluginDiff?.map(\.json) == [["op": "replace", "path": "/text", "value": "hi x", "old": "hi"]])
        #expect(stage.middleware.first { $0.hook == "after" }?.diff.map(\.json) == [
            ["op": "replace", "path": "/text", "value": "HI X", "old": "hi x"], ["op": "add", "path": "/audited", "value": true],
        ])
        #expect(stage.diff.count == 2)
        #expect(stage.changes.map(\.by) == ["enricher", "gov.after"])
        let report = BlameReport(path: JSONPointer(tokens: ["text"]), trace: trace)
        #expect(report.changes.map { "\($0.position) \($0.by) \($0.byMiddleware)" } == ["1 normalizer false", "3 enricher false", "3 gov.after true"])
        #expect(report.producedBy == 2)
        let added = BlameReport(path: JSONPointer(tokens: ["audited"]), trace: trace)
        #expect(added.changes.map(\.by) == ["gov.after"] && added.changes[0].before == nil)
    }

    @Test func aValueSetWhileSteppingIsBlamedOnTheSet() async throws {
        let walk = ChainStepper(tracer: ChainTracer(registry: try await registry(middlewareRewrites: false), kind: "q", hook: "rewrite"), input: ["text": "Hi"])
        await walk.next()
        try walk.set(["text": "typed"])
        await walk.run(.end, checkFirst: false)
        let report = BlameReport(path: JSONPointer(tokens: ["text"]), trace: walk.result)
        #expect(report.changes.map(\.by) == ["normalizer", "set", "enricher"])
        #expect(report.changes[1].position == 2 && report.changes[1].after == "typed")
    }
}

@Suite struct WhyTests {
    @Test func aPluginStoppedBeforeItsStageSaysWho() async throws {
        let chain = try await Chain.make(stopAt: "a")
        let trace = await ChainTracer(registry: chain.registry, kind: "k", hook: "go").trace("")
        let c = chain.registry.record(named: "c")!
        let why = WhyReport(plugin: c, kind: "k", hook: "go", registry: chain.registry, last: DispatchRecord(trace: trace), switchedOff: [])
        #expect(why.ran == false)
        #expect(why.verdict == "'c' did not run in the last k.go: b stopped the chain at stage 2")
        #expect(why.reasons.map(\.code) == ["order", "stopped_before"])
        #expect(why.reasons.last?.text == "b (stage 2) returned STOP_CHAIN before it")
    }

    @Test func aSwitchedOffPluginAndAMisspeltHook() async throws {
        let registry = PluginRegistry()
        try registry.register(PluginManifest(name: "good", kind: "k", priority: 1), instance: SwiftPlugin(hooks: ["go": { a, _ in .value(a.positional[0]) }]))
        try registry.register(PluginManifest(name: "typo", kind: "k"), instance: SwiftPlugin(hooks: ["og": { a, _ in .value(a.positional[0]) }]))
        try await registry.setupAll()
        try registry.setEnabled("good", false)
        let off = WhyReport(plugin: registry.record(named: "good")!, kind: "k", hook: "go", registry: registry, last: nil, switchedOff: ["good"])
        #expect(off.ran == nil)
        #expect(off.reasons.first == .init(code: "disabled", text: "you switched it off with `disable good` (`enable good` switches it on)"))
        #expect(off.verdict == "'good' would not take part in k.go")
        let typo = WhyReport(plugin: registry.record(named: "typo")!, kind: "k", hook: "go", registry: registry, last: nil, switchedOff: [])
        #expect(typo.reasons.first == .init(code: "missing_hook", text: "'typo' has no method 'go'; its method 'og' looks like it (a misspelt hook is never called)"))
    }
}

@Suite struct TimingTests {
    @Test func percentilesAreNearestRank() async throws {
        let chain = try await Chain.make()
        chain.broken.withLock { $0 = false }
        let report = await ChainTiming.measure(ChainTracer(registry: chain.registry, kind: "k", hook: "go"), input: "", runs: 7)
        #expect(report.runs == 7 && !report.interrupted && report.error == nil)
        #expect(report.rows.map(\.name) == ["a", "b", "boom", "c"])
        #expect(report.rows.allSatisfy { $0.samples.count == 7 })
        #expect(report.output == "ab!c")
        let row = TimingReport.Row(name: "x", position: 1, isMiddleware: false, samples: [5, 1, 4, 2, 3, 10, 9, 8, 7, 6])
        #expect((row.p50, row.p90, row.p99) == (5, 9, 10))
        let failing = try await Chain.make()
        let stopped = await ChainTiming.measure(ChainTracer(registry: failing.registry, kind: "k", hook: "go"), input: "", runs: 5)
        #expect(stopped.runs == 1 && stopped.error?.plugin == "boom" && !stopped.interrupted)
    }
}
