import Foundation
import Synchronization
import Testing
@testable import PluginSystem

final class EventRecorder: HookObserver {
    let events = Mutex<[HookEvent]>([])
    func hookDidRun(_ event: HookEvent) { events.withLock { $0.append(event) } }
    var all: [HookEvent] { events.withLock { $0 } }
}

func middleware(_ name: String, priority: Int = 1000, kinds: [String] = ["*"], hooks: [String] = ["*"]) -> PluginManifest {
    var m = manifest(name, kind: "horizontal_middleware", priority: priority)
    m.chainWrap = .init(kinds: kinds, hooks: hooks)
    return m
}

@Suite struct MiddlewareTests {
    func wrapper(_ tag: String, log: CallLog, rewriteArgs: Bool = false, rewriteResult: Bool = false) -> SwiftPlugin {
        SwiftPlugin(hooks: [
            "before": { args, _ in
                log.add("\(tag).before(\(args.positional[0].stringValue!), \(args.positional[1].stringValue!), \(args.positional[2].stringValue!))")
                guard rewriteArgs, var call = HookArguments(json: args.positional[3]) else { return .value(nil) }
                call.positional[0] = ["text": "REPLACED"]
                return .value(call.json)
            },
            "after": { args, _ in
                log.add("\(tag).after(\(args.positional[1].stringValue!)) = \(args.positional[3].encoded())")
                return rewriteResult ? .value(["text": "audited"]) : .value(nil)
            },
        ])
    }

    @Test func wrapsEveryStageOutermostFirstAndAppearsToObservers() async throws {
        let log = CallLog()
        let registry = PluginRegistry()
        try registry.register(middleware("governance"), instance: wrapper("governance", log: log))
        try registry.register(middleware("quota", priority: 1100, kinds: ["k"], hooks: ["rewrite"]), instance: wrapper("quota", log: log))
        try registry.register(middleware("elsewhere", kinds: ["other"]), instance: wrapper("elsewhere", log: log))
        try registry.register(manifest("one", priority: 2), instance: appender("1", log: log))
        try registry.register(manifest("two", priority: 1), instance: appender("2", log: log))
        try await registry.setupAll()
        let recorder = EventRecorder()
        let token = registry.addObserver(recorder)
        let outcome = try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: ["text": ""])
        #expect(outcome.value == ["text": "12"])
        #expect(log.all == [
            "quota.before(k, one, rewrite)", "governance.before(k, one, rewrite)", "one.rewrite",
            #"governance.after(one) = {"text":"1"}"#, #"quota.after(one) = {"text":"1"}"#,
            "quota.before(k, two, rewrite)", "governance.before(k, two, rewrite)", "two.rewrite",
            #"governance.after(two) = {"text":"12"}"#, #"quota.after(two) = {"text":"12"}"#,
        ])
        #expect(recorder.all.map { "\($0.plugin).\($0.hook)" } == [
            "quota.before", "governance.before", "one.rewrite", "governance.after", "quota.after",
            "quota.before", "governance.before", "two.rewrite", "governance.after", "quota.after",
        ])
        #expect(recorder.all[1].role == .middlewareBefore(wrapping: "one"))
        #expect(recorder.all[3].role == .middlewareAfter(wrapping: "one"))
        #expect(recorder.all[2].role == .hook)
        #expect(recorder.all[2].arguments.positional == [["text": ""]])
        #expect(recorder.all[2].outcome == .success(HookReply(.value(["text": "1"]))))
        registry.removeObserver(token)
        _ = try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: ["text": ""])
        #expect(recorder.all.count == 10)
    }

    @Test func beforeMayReplaceArgumentsAndAfterMayReplaceTheResult() async throws {
        let log = CallLog()
        let registry = PluginRegistry()
        try registry.register(middleware("rewriter"), instance: wrapper("m", log: log, rewriteArgs: true))
        try registry.register(manifest("one"), instance: appender("!"))
        try await registry.setupAll()
        #expect(try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: ["text": "x"]).value == ["text": "REPLACED!"])

        let auditing = PluginRegistry()
        try auditing.register(middleware("auditor"), instance: wrapper("m", log: log, rewriteResult: true))
        try auditing.register(manifest("one"), instance: appender("!"))
        try await auditing.setupAll()
        #expect(try await ChainDispatcher(auditing).dispatch("k", "rewrite", initial: ["text": "x"]).value == ["text": "audited"])
    }

    @Test func aDisabledMiddlewareNoLongerWraps() async throws {
        let log = CallLog()
        let registry = PluginRegistry()
        try registry.register(middleware("governance"), instance: wrapper("governance", log: log))
        try registry.register(manifest("one"), instance: appender("1", log: log))
        try await registry.setupAll()
        try registry.setEnabled("governance", false)
        _ = try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: ["text": ""])
        #expect(log.all == ["one.rewrite"])
    }

    @Test func middlewareWrapsOtherDispatchClassesToo() async throws {
        let log = CallLog()
        let registry = PluginRegistry()
        try registry.register(middleware("governance"), instance: wrapper("g", log: log))
        try registry.register(manifest("only", kind: "search"), instance: answering("found", log: log))
        try await registry.setupAll()
        #expect(try await SingletonDispatcher(registry).dispatch("search", "handle").reply.output == .value("found"))
        #expect(log.all == ["g.before(search, only, handle)", "only", #"g.after(only) = "found""#])
    }
}

@Suite struct KindSpecTests {
    @Test func loadsHookspecYAMLWithSchemas() throws {
        let dir = TempDir()
        dir.write("kinds/query_rewriter/v1.yaml", """
            kind: query_rewriter
            kind_api_version: 1.0.0
            description: Query transformer applied before search.
            hooks:
            - name: rewrite
              dispatch: chain
              description: Transform the query text.
              input_schema: schemas/query.json
              output_schema: schemas/query.json # input == output — data flows through the chain
              mcp_exposed: true
            - name: explain
              dispatch: broadcast_collect
              mcp_exposed: false
            """)
        dir.write("kinds/query_rewriter/schemas/query.json", #"{"type":"object","required":["text"],"properties":{"text":{"type":"string"},"tenant_id":{"type":["string","null"]}}}"#)
        dir.write("kinds/broken.yaml", "kind: broken\nhooks:\n- name: x\n  dispatch: sometimes\n")
        let (specs, failures) = HookspecLoader.loadDirectory(dir.path + "/kinds")
        #expect(specs.map(\.kind) == ["query_rewriter"])
        let spec = specs[0]
        #expect(spec.kindAPIVersion == "1.0.0")
        #expect(Array(spec.hooks.keys) == ["rewrite", "explain"])
        #expect(spec.hooks["rewrite"]?.dispatch == .chain)
        #expect(spec.hooks["explain"]?.mcpExposed == false)
        #expect(spec.hooks["rewrite"]?.outputSchema?.validate(["text": 3]) == [
            SchemaViolation(path: "/text", expected: "string", received: "integer 3")
        ])
        #expect(failures.count == 1)
        #expect(failures[0].error.message ==
            "Invalid hookspec at \(dir.path)/kinds/broken.yaml: hooks.0.dispatch: must be one of singleton, broadcast_collect, broadcast_notify, chain, capability, got \"sometimes\"")
    }

    @Test func schemaValidatorCoversTheKeywordsHookspecsUse() {
        let schema = JSONSchema([
            "$defs": ["chunk": ["type": "object", "required": ["text", "offset"], "additionalProperties": false,
                                "properties": ["text": ["type": "string", "minLength": 1], "offset": ["type": "integer", "minimum": 0]]]],
            "type": "array", "items": ["$ref": "#/$defs/chunk"], "maxItems": 3,
        ])
        #expect(schema.validate([["text": "Hello", "offset": 0]]).isEmpty)
        #expect(schema.validate([["text": "", "offset": -1, "extra": true]]).map(\.description) == [
            "/0/text: expected a string of at least 1 characters, got string \"\"",
            "/0/offset: expected a number >= 0, got integer -1",
            "/0/extra: expected no additional property 'extra', got boolean true",
        ])
        #expect(schema.validate("nope").map(\.description) == ["value: expected array, got string \"nope\""])
        let choice = JSONSchema(["oneOf": [["type": "string"], ["enum": [1, 2]]]])
        #expect(choice.validate(2).isEmpty)
        #expect(choice.validate(3).count == 1)
    }

    @Test func schemaValidatorPatternsBoundsCombinatorsAndRecursiveRefs() {
        let schema = JSONSchema([
            "$defs": ["node": ["type": "object", "required": ["id"],
                               "properties": ["id": ["type": "string", "pattern": "^n[0-9]+$"],
                                              "children": ["type": "array", "items": ["$ref": "#/$defs/node"]]]]],
            "type": "object",
            "properties": [
                "root": ["$ref": "#/$defs/node"],
                "score": ["exclusiveMinimum": 0, "exclusiveMaximum": 1],
                "pair": ["prefixItems": [["type": "string"], ["type": "integer"]], "items": ["const": true]],
                "label": ["anyOf": [["type": "string"], ["type": "null"]], "not": ["const": "forbidden"]],
            ],
        ])
        let good: JSONValue = ["root": ["id": "n1", "children": [["id": "n2", "children": [["id": "n3"]]]]], "score": 0.5,
                               "pair": ["a", 1, true, true], "label": nil]
        #expect(schema.validate(good).isEmpty)
        let bad: JSONValue = ["root": ["id": "n1", "children": [["id": "x2", "children": [["name": "n3"]]]]], "score": 1,
                              "pair": [1, "a", false], "label": "forbidden"]
        #expect(schema.validate(bad).map(\.description) == [
            "/root/children/0/id: expected a string matching /^n[0-9]+$/, got string \"x2\"",
            "/root/children/0/children/0/id: expected required property 'id', got nothing",
            "/score: expected a number < 1, got integer 1",
            "/pair/0: expected string, got integer 1",
            "/pair/1: expected integer, got string \"a\"",
            "/pair/2: expected true, got boolean false",
            "/label: expected a value not matching {\"const\":\"forbidden\"}, got string \"forbidden\"",
        ])
        let either = JSONSchema(["anyOf": [["type": "string"], ["type": "null"]]])
        #expect(either.validate(3).map(\.description) == ["value: expected string or null, got integer 3"])
        let slash = JSONSchema(["properties": ["a/b": ["type": "string"]]])
        #expect(slash.validate(["a/b": 1]).map(\.path) == ["/a~1b"])
    }
}

@Suite struct ResourceTests {
    @Test func frozenClockAndSeededRngAreDeterministic() {
        let clock = FrozenClock(at: Date(timeIntervalSince1970: 1_700_000_000))
        clock.advance(seconds: 60)
        #expect(clock.now() == Date(timeIntervalSince1970: 1_700_000_060))
        #expect(clock.descriptor == ["type": "frozen", "at": "2023-11-14T22:14:20Z"])
        let (a, b) = (SeededRng(seed: 7), SeededRng(seed: 7))
        let first = (0..<5).map { _ in a.randint(1, 6) }
        #expect(first == (0..<5).map { _ in b.randint(1, 6) })
        #expect(first.allSatisfy { (1...6).contains($0) })
        let r = SeededRng(seed: 1).random()
        #expect(r >= 0 && r < 1)
    }

    @Test func registryRejectsDuplicatesAndGrantsOnlyDeclaredNames() throws {
        let resources = ResourceRegistry()
        try resources.register("tenant_keywords", .value(["acme-corp": ["x"]]))
        #expect(throws: DagstackError(.resourceConflict, "Resource 'tenant_keywords' is already registered")) {
            try resources.register("tenant_keywords", .value(nil))
        }
        try resources.register("tenant_keywords", .value(["b": []]), replace: true)
        resources.registerStandard()
        #expect(resources.names == ["tenant_keywords", "clock", "rng"])
        var m = manifest("p")
        m.resources.optional = ["tenant_keywords"]
        let container = try resources.container(for: m)
        #expect(container.names == ["tenant_keywords"])
        #expect(container.value("tenant_keywords") == ["b": []])
        #expect(container.clock == nil)
    }
}
