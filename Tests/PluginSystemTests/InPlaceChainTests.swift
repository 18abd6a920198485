import Testing
@testable import PluginSystem

/// A stage that appends `suffix` to the value's `text` where it lies, logging `ctx.plugin` and the
/// request's `tenant` metadata.
func inPlaceAppender(_ suffix: String, log: CallLog? = nil) -> SwiftPlugin {
    SwiftPlugin(chainStages: ["rewrite": { value, ctx in
        log?.add("\(ctx.plugin) tenant=\(ctx.metadata["tenant"]?.stringValue ?? "-")")
        value.modifyObject { $0["text"] = .string(($0["text"]?.stringValue ?? "") + suffix) }
        return .next
    }])
}

/// Stops the chain when the text contains "stop", leaving the value as it came.
func inPlaceStopper(log: CallLog? = nil) -> SwiftPlugin {
    SwiftPlugin(chainStages: ["rewrite": { value, ctx in
        log?.add(ctx.plugin)
        return value["text"]?.stringValue?.contains("stop") == true ? .stopChain : .next
    }])
}

final class EventCounter: HookObserver {
    let log = CallLog()
    func hookDidRun(_ event: HookEvent) { log.add(event.plugin) }
}

@Suite struct InPlaceChainTests {
    func registry(_ plugins: [(String, Int, SwiftPlugin)]) async throws -> PluginRegistry {
        let registry = PluginRegistry()
        for (name, priority, plugin) in plugins { try registry.register(manifest(name, priority: priority), instance: plugin) }
        try await registry.setupAll()
        return registry
    }

    @Test func stagesChangeTheValueInOrderWithOrWithoutAnswers() async throws {
        let log = CallLog()
        let registry = try await registry([("b", 5, inPlaceAppender("B", log: log)), ("a", 9, inPlaceAppender("A", log: log)),
                                           ("c", 5, inPlaceAppender("C", log: log))])
        let input: JSONValue = ["text": ">", "keep": true]
        let bare = try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: input, keepAnswers: false)
        #expect(bare.value == ["text": ">ABC", "keep": true])
        #expect(bare.answers.isEmpty)
        #expect(input == ["text": ">", "keep": true], "the caller's value is never changed")
        let kept = try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: input)
        #expect(kept.value == bare.value)
        #expect(kept.answers.map(\.plugin) == ["a", "b", "c"])
        #expect(kept.answers.map { $0.reply.output.value?["text"] } == [">A", ">AB", ">ABC"])
        #expect(log.all == ["a tenant=-", "b tenant=-", "c tenant=-", "a tenant=-", "b tenant=-", "c tenant=-"])
    }

    @Test func stagesWorkOnOneValueWithoutCopyingIt() async throws {
        // Each stage notes where the object's values are stored after changing one: with the value
        // handed from stage to stage, never copied, every stage sees the same storage.
        let log = CallLog()
        let noting = SwiftPlugin(chainStages: ["rewrite": { value, _ in
            value.modifyObject { members in
                members["n"] = .int((members["n"]?.intValue ?? 0) + 1)
                log.add(members.values.withUnsafeBufferPointer { String(describing: $0.baseAddress) })
            }
            return .next
        }])
        let registry = try await registry([("a", 3, noting), ("b", 2, noting), ("c", 1, noting)])
        let outcome = try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: ["n": 0, "big": "x"], keepAnswers: false)
        #expect(outcome.value == ["n": 3, "big": "x"])
        #expect(log.all.count == 3)
        #expect(Set(log.all).count == 1, "\(log.all)")
        // Keeping answers, each stage works on a copy (the answers hold the values before it).
        _ = try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: ["n": 0, "big": "x"])
        #expect(Set(log.all.suffix(3)).count == 3)
    }

    @Test func metadataReachesEveryStage() async throws {
        let log = CallLog()
        let registry = try await registry([("a", 2, inPlaceAppender("A", log: log)), ("b", 1, inPlaceAppender("B", log: log))])
        let outcome = try await ChainDispatcher(registry).dispatch(
            "k", "rewrite", initial: ["text": ""], metadata: ["tenant": "acme"], keepAnswers: false)
        #expect(outcome.value == ["text": "AB"])
        #expect(log.all == ["a tenant=acme", "b tenant=acme"])
    }

    @Test func stopChainEndsWithTheValueFromBeforeTheStage() async throws {
        let log = CallLog()
        let registry = try await registry([("first", 3, inPlaceAppender(" stop")), ("guard", 2, inPlaceStopper(log: log)),
                                           ("never", 1, inPlaceAppender("!", log: log))])
        let outcome = try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: ["text": "please"], keepAnswers: false)
        #expect(outcome.value == ["text": "please stop"])
        #expect(outcome.stoppedBy == "guard")
        #expect(log.all == ["guard"])
    }

    @Test func anErrorNamesThePluginAndEndsTheChain() async throws {
        let log = CallLog()
        let broken = SwiftPlugin(chainStages: ["rewrite": { _, _ in throw Boom(text: "no text") }])
        let registry = try await registry([("broken", 2, broken), ("after", 1, inPlaceAppender("!", log: log))])
        await #expect(throws: DagstackError(
            .pluginError, "Plugin 'broken' failed in k.rewrite: Boom: no text", plugin: "broken", exceptionType: "Boom")
        ) { try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: ["text": ""], keepAnswers: false) }
        #expect(log.all.isEmpty)
    }

    @Test func aChainMixingInPlaceAndReturningStagesGivesTheSameResult() async throws {
        let registry = try await registry([("a", 3, inPlaceAppender("A")), ("b", 2, appender("B")), ("c", 1, inPlaceAppender("C"))])
        let outcome = try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: ["text": ""], keepAnswers: false)
        #expect(outcome.value == ["text": "ABC"])
        #expect(outcome.answers.isEmpty)
    }

    @Test func anObserverStillSeesEveryStage() async throws {
        let registry = try await registry([("a", 2, inPlaceAppender("A")), ("b", 1, inPlaceAppender("B"))])
        let counter = EventCounter()
        registry.addObserver(counter)
        let outcome = try await ChainDispatcher(registry).dispatch("k", "rewrite", initial: ["text": ""], keepAnswers: false)
        #expect(outcome.value == ["text": "AB"])
        #expect(counter.log.all == ["a", "b"])
    }

    @Test func modifyObjectChangesOnlyThisValueAndOnlyAnObject() {
        let original: JSONValue = ["n": 1, "list": [1, 2]]
        var copy = original
        let result = copy.modifyObject { members -> Int in
            members["n"] = 2
            return members.count
        }
        #expect(result == 2)
        #expect(copy == ["n": 2, "list": [1, 2]])
        #expect(original == ["n": 1, "list": [1, 2]])
        var number: JSONValue = 7
        #expect(number.modifyObject { $0["n"] = 1 } == nil)
        #expect(number == 7)
    }
}
