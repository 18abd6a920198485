import Inspector
import PluginSystem
import Testing

@Suite struct JSONDiffTests {
    @Test func objectsArraysAndScalarsGiveRFC6902OperationsWithOldValues() {
        let before: JSONValue = ["a": 1, "b": ["x", "y", "z"], "c": ["deep": true], "gone": "bye", "s/l~": 1]
        let after: JSONValue = ["a": 2, "b": ["x", "Y", "z", "w"], "c": ["deep": true], "new": nil, "s/l~": 2]
        let ops = JSONDiff.diff(before, after)
        #expect(ops.map(\.json) == [
            ["op": "remove", "path": "/gone", "old": "bye"],
            ["op": "replace", "path": "/a", "value": 2, "old": 1],
            ["op": "replace", "path": "/b/1", "value": "Y", "old": "y"],
            ["op": "add", "path": "/b/3", "value": "w"],
            ["op": "add", "path": "/new", "value": nil],
            ["op": "replace", "path": "/s~1l~0", "value": 2, "old": 1],
        ])
        #expect(JSONDiff.apply(ops, to: before)?.numericallyEquals(after) == true)
    }

    @Test func arraysShrinkFromTheEndAndTypeChangesReplaceWholly() {
        // The common prefix [1] and suffix [4] stay; the middle goes, highest index first.
        let ops = JSONDiff.diff([1, 2, 3, 4], [1, 4])
        #expect(ops.map(\.json) == [["op": "remove", "path": "/2", "old": 3], ["op": "remove", "path": "/1", "old": 2]])
        #expect(JSONDiff.apply(ops, to: [1, 2, 3, 4]) == [1, 4])
        #expect(JSONDiff.diff(["k": [1]], ["k": "one"]).map(\.json) == [["op": "replace", "path": "/k", "value": "one", "old": [1]]])
        #expect(JSONDiff.diff("a", "a").isEmpty)
        #expect(JSONDiff.diff(["a": 1, "b": 2], ["b": 2, "a": 1]).isEmpty)
    }

    @Test func oneChangeInALargeValueIsOneOperation() {
        let items = (0..<20_000).map { JSONValue.object(["id": .int($0), "name": .string("item \($0)")]) }
        var changed = items
        changed[12_345] = ["id": 12_345, "name": "renamed"]
        #expect(JSONDiff.diff(.array(items), .array(changed)).map(\.json) == [
            ["op": "replace", "path": "/12345/name", "value": "renamed", "old": "item 12345"],
        ])
    }
}

@Suite struct WordDiffTests {
    @Test func marksRemovedAndAddedWords() {
        #expect(WordDiff.diff("  How to LAUNCH dagstack?  ", "how to launch dagstack?") == [
            .removed("  How"), .added("how"), .same(" to "), .removed("LAUNCH"), .added("launch"), .same(" dagstack?"), .removed("  "),
        ])
        #expect(WordDiff.diff("how to start dagstack?", "how to start dagstack? microservices python") == [
            .same("how to start dagstack?"), .added(" microservices python"),
        ])
        #expect(WordDiff.diff("same", "same") == [.same("same")])
    }
}

@Suite struct ChainStepperTests {
    func registry() async throws -> PluginRegistry {
        let registry = PluginRegistry()
        func stage(_ suffix: String) -> SwiftPlugin {
            SwiftPlugin(hooks: ["go": { args, _ in .value(.string(args.positional[0].stringValue! + suffix)) }])
        }
        try registry.register(PluginManifest(name: "a", kind: "k", priority: 3), instance: stage("a"))
        try registry.register(PluginManifest(name: "b", kind: "k", priority: 2), instance: stage("b"))
        try registry.register(PluginManifest(name: "off", kind: "k", priority: 1), instance: stage("x"))
        try registry.register(PluginManifest(name: "c", kind: "k", priority: 0), instance: stage("c"))
        try await registry.setupAll()
        try registry.setEnabled("off", false)
        return registry
    }

    @Test func walksSkipsSetsAndRecordsEveryStage() async throws {
        let stepper = ChainStepper(tracer: ChainTracer(registry: try await registry(), kind: "k", hook: "go"), input: "")
        #expect(stepper.upcoming?.record.name == "a")
        #expect(stepper.upcoming?.position == 1)
        let first = await stepper.next()
        #expect(first?.status == .changed)
        #expect(first?.after == "a")
        #expect(stepper.skip()?.plugin == "b")
        try stepper.set("X")
        #expect(stepper.upcoming?.record.name == "c")
        #expect(stepper.upcoming?.position == 4)
        #expect(await stepper.next()?.after == "Xc")
        #expect(await stepper.next() == nil)
        #expect(stepper.isFinished)
        #expect(stepper.result.stages.map { "\($0.plugin):\($0.status.rawValue)" } == ["a:changed", "b:skipped", "off:disabled", "c:changed"])
        #expect(stepper.result.output == "Xc")
    }

    @Test func aTraceMatchesTheDispatcherAndComparesAcrossRuns() async throws {
        let registry = try await registry()
        let trace = await ChainTracer(registry: registry, kind: "k", hook: "go").trace("")
        #expect(trace.output == (try await ChainDispatcher(registry).dispatch("k", "go", initial: "")).value)
        try registry.setEnabled("b", false)
        let again = await ChainTracer(registry: registry, kind: "k", hook: "go").trace("")
        let delta = TraceDelta(old: trace, new: again)
        #expect(!delta.isSame)
        #expect(delta.firstDivergence?.plugin == "b")
        #expect(delta.firstDivergence?.after == .disabled)
        #expect(delta.outputDiff.map(\.json) == [["op": "replace", "path": "", "value": "ac", "old": "abc"]])
        #expect(TraceDelta(old: trace, new: trace).isSame)
    }

    /// A stage gone from the new run is listed where it ran, before the stages its absence changed:
    /// read top-down, the cause comes first.
    @Test func aStageGoneFromTheNewRunIsListedWhereItWas() {
        func stage(_ plugin: String, _ before: JSONValue, _ after: JSONValue) -> StageTrace {
            StageTrace(
                plugin: plugin, priority: 0, status: before == after ? .unchanged : .changed, before: before, after: after,
                diff: JSONDiff.diff(before, after), durationMicros: 1, logs: [], error: nil, note: nil, middleware: [])
        }
        let old = TraceResult(kind: "k", hook: "f", input: ["text": "a"], output: ["text": "a", "tags": ["x"]], stoppedBy: nil, error: nil, stages: [
            stage("upper", ["text": "a"], ["text": "a"]),
            stage("tagger", ["text": "a"], ["text": "a", "tags": ["x"]]),
            stage("suffix", ["text": "a", "tags": ["x"]], ["text": "a", "tags": ["x"]]),
            stage("gone-last", ["text": "a", "tags": ["x"]], ["text": "a", "tags": ["x"]]),
        ])
        let new = TraceResult(kind: "k", hook: "f", input: ["text": "a"], output: ["text": "a"], stoppedBy: nil, error: nil, stages: [
            stage("upper", ["text": "a"], ["text": "a"]),
            stage("suffix", ["text": "a"], ["text": "a"]),
        ])
        let delta = TraceDelta(old: old, new: new)
        #expect(delta.stages.map { "\($0.plugin):\($0.before?.rawValue ?? "absent")→\($0.after?.rawValue ?? "absent")" } == [
            "tagger:changed→absent", "suffix:unchanged→unchanged", "gone-last:unchanged→absent",
        ])
        #expect(delta.firstDivergence?.plugin == "tagger")
    }
}
