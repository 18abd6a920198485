import Foundation
import Inspector
import PluginHosts
import PluginSystem
import Synchronization
import Testing
import TestSupport

final class Seen: HookObserver {
    let events = Mutex<[String]>([])
    func hookDidRun(_ event: HookEvent) { events.withLock { $0.append("\(event.plugin):\((try? event.outcome.get()) == nil ? "error" : "ok")") } }
}

/// Consecutive Python stages run in one exchange, with the same results as one by one.
@Suite(.serialized) struct BatchingTests {
    static func load(timeout: Double = 5) async -> PluginDirectory {
        await loadFixture("python-chain", callTimeout: timeout)
    }

    @Test func aBatchedTraceEqualsAStepByStepOne() async throws {
        let dir = await Self.load()
        let tracer = ChainTracer(registry: dir.registry, kind: "pipe", hook: "run")
        let batched = await tracer.trace(["text": "go"])
        let stepper = ChainStepper(tracer: tracer, input: ["text": "go"])
        while await stepper.next() != nil {}
        let stepped = stepper.result
        #expect(batched.output == ["text": "GO!", "flaky": true])
        #expect(batched.output == stepped.output)
        #expect(batched.stages.map(\.status) == stepped.stages.map(\.status))
        #expect(batched.stages.map(\.diff) == stepped.stages.map(\.diff))
        #expect(batched.stages[0].logs == [PluginLog(stream: "stdout", text: "upper saw go")])
        #expect(batched.stages.allSatisfy { $0.durationMicros != nil })
        let seen = Seen()
        dir.registry.addObserver(seen)
        let outcome = try await ChainDispatcher(dir.registry).dispatch("pipe", "run", initial: ["text": "go"])
        #expect(outcome.value == ["text": "GO!", "flaky": true])
        #expect(seen.events.withLock { $0 } == ["upper:ok", "flaky:ok", "suffix:ok"])
        await dir.close()
    }

    @Test func anExceptionInABatchNamesItsPlugin() async throws {
        let dir = await Self.load()
        let trace = await ChainTracer(registry: dir.registry, kind: "pipe", hook: "run").trace(["text": "raise"])
        #expect(trace.stages.map { "\($0.plugin):\($0.status.rawValue)" } == ["upper:changed", "flaky:error", "suffix:not_run"])
        #expect(trace.error?.plugin == "flaky")
        #expect(trace.error?.message == "Plugin 'flaky' failed in pipe.run: RuntimeError: flaky refuses RAISE")
        #expect(trace.error?.traceback?.contains("raise RuntimeError(\"flaky refuses \" + value[\"text\"])") == true)
        #expect(dir.registry.record(named: "flaky")?.state == .active)
        await #expect(throws: DagstackError.self) { try await ChainDispatcher(dir.registry).dispatch("pipe", "run", initial: ["text": "raise"]) }
        await dir.close()
    }

    @Test func aHangInABatchIsStillPinnedOnItsPlugin() async throws {
        let dir = await Self.load(timeout: 1)
        let trace = await ChainTracer(registry: dir.registry, kind: "pipe", hook: "run").trace(["text": "hang"])
        #expect(trace.error?.code == .pluginTimeout)
        #expect(trace.error?.plugin == "flaky")
        #expect(dir.registry.record(named: "flaky")?.state.name == "failed")
        #expect(dir.registry.record(named: "upper")?.state == .active)
        // The rest of the chain works without it.
        let again = try await ChainDispatcher(dir.registry).dispatch("pipe", "run", initial: ["text": "ok"])
        #expect(again.value == ["text": "OK!"])
        await dir.close()
    }
}
