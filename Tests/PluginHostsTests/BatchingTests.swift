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
        let dir = await Self.load(timeout: 2)
        let scratch = TempDir()
        let calls = scratch.path + "/upper-calls"
        let trace = await ChainTracer(registry: dir.registry, kind: "pipe", hook: "run").trace(["text": "hang", "calls": .string(calls)])
        #expect(trace.error?.code == .pluginTimeout)
        #expect(trace.error?.plugin == "flaky")
        #expect(trace.error?.message.hasPrefix("Plugin 'flaky' did not answer pipe.run within 2s (--call-timeout)") == true, "\(trace.error?.message ?? "")")
        // The stage before the one that hung ran once: its result is kept, nothing ran again after
        // the interpreter was restarted (before, the stages ran again one by one to find the culprit).
        #expect(try String(contentsOfFile: calls, encoding: .utf8) == "ran\n")
        #expect(trace.stages.map { "\($0.plugin):\($0.status.rawValue)" } == ["upper:changed", "flaky:error", "suffix:not_run"])
        #expect(trace.stages[0].logs == [PluginLog(stream: "stdout", text: "upper saw hang")])
        #expect(trace.stages[1].logs == [PluginLog(stream: "stdout", text: "flaky waits for HANG"), PluginLog(stream: "stdout", text: "half a line")],
                "\(trace.stages[1].logs)")
        // Its own time, not the batch's limit (three stages: 6 s).
        let hung = try #require(trace.stages[1].durationMicros)
        #expect(hung >= 2_000_000 && hung < 6_000_000, "\(hung)")
        #expect(dir.registry.record(named: "flaky")?.state.name == "failed")
        #expect(dir.registry.record(named: "upper")?.state == .active)
        // The rest of the chain works without it.
        let again = try await ChainDispatcher(dir.registry).dispatch("pipe", "run", initial: ["text": "ok"])
        #expect(again.value == ["text": "OK!"])
        await dir.close()
    }
}

/// A directory's Python plugins are set up in one exchange, in the same order and with the same
/// outcomes as one by one.
@Suite struct SetupBatchingTests {
    /// A plugin whose setup records its name, and whether it ran inside the host's batched set-up.
    static func recorder(_ dir: TempDir, _ folder: String, priority: Int, extra: String = "", raises: Bool = false) {
        dir.plugin(folder, name: folder, kind: "order", priority: priority, extra: extra)
        dir.write("\(folder)/plugin.py", """
            import builtins, sys

            class Recorder:
                def setup(self, ctx):
                    frames, frame = [], sys._getframe(1)
                    while frame is not None:
                        frames.append(frame.f_code.co_name)
                        frame = frame.f_back
                    batched = "setup_many" in frames
                    builtins.__dict__.setdefault("_setup_order", []).append(f"{'\(folder)'}{'*' if batched else ''}")
                    if \(raises ? "True" : "False"):
                        raise RuntimeError("no database")

                def order(self, ctx):
                    return list(builtins._setup_order)
            """)
    }

    @Test func pluginsAreSetUpInOneExchangeInOrderAndAFailureStopsOnlyItsDependents() async throws {
        let dir = TempDir()
        Self.recorder(dir, "alpha", priority: 5)
        Self.recorder(dir, "bravo", priority: 9, extra: #"depends_on = ["delta"]"#)
        Self.recorder(dir, "charlie", priority: 7, raises: true)
        Self.recorder(dir, "delta", priority: 1)
        Self.recorder(dir, "echo", priority: 3, extra: #"depends_on = ["charlie"]"#)
        Self.recorder(dir, "foxtrot", priority: 2)
        let loaded = await PluginDirectory.load(dir.path)
        let states = Dictionary(uniqueKeysWithValues: loaded.registry.records.map { ($0.name, $0.state) })
        #expect(states["charlie"]?.reason == "Plugin 'charlie' failed in setup: RuntimeError: no database")
        guard case .failed(let charlie)? = states["charlie"] else { Issue.record("charlie did not fail"); return }
        #expect(charlie.code == .pluginLoadError)
        #expect(states["echo"] == .unavailable("its dependency 'charlie' failed"))
        for name in ["alpha", "bravo", "delta", "foxtrot"] { #expect(states[name] == .active, "\(name)") }
        // The reference's set-up order: the highest-priority plugin whose dependencies are set up, next.
        #expect(loaded.setupOutcomes.map(\.plugin) == ["charlie", "alpha", "echo", "foxtrot", "delta", "bravo"])
        // All six start as one batch, which stops at charlie's failure; alpha is set up alone (echo,
        // next, now waits on a failed plugin and cannot join a batch); echo is skipped; the last
        // three are one batch again. (* = set up inside a batch.)
        let answer = try await BroadcastCollectDispatcher(loaded.registry).dispatch("order", "order")
        #expect(answer.answers.first?.reply.output == .value(["charlie*", "alpha", "foxtrot*", "delta*", "bravo*"]))
        await loaded.close()
    }
}
