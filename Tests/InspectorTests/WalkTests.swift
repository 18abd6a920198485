import Inspector
import PluginSystem
import Synchronization
import Testing

/// A chain of Swift stages over a string: each appends its letter; `boom` raises while `broken` is set.
final class Chain: Sendable {
    let broken = Mutex(true)
    let registry = PluginRegistry()

    static func make(stopAt: String? = nil) async throws -> Chain {
        let chain = Chain()
        func stage(_ letter: String) -> SwiftPlugin {
            SwiftPlugin(hooks: ["go": { args, _ in
                let text = args.positional[0].stringValue!
                if text == stopAt { return .stopChain }
                return .value(.string(text + letter))
            }])
        }
        try chain.registry.register(PluginManifest(name: "a", kind: "k", priority: 4), instance: stage("a"))
        try chain.registry.register(PluginManifest(name: "b", kind: "k", priority: 3), instance: stage("b"))
        try chain.registry.register(PluginManifest(name: "boom", kind: "k", priority: 2), instance: SwiftPlugin(hooks: ["go": { [chain] args, _ in
            if chain.broken.withLock({ $0 }) { throw DagstackError(.pluginError, "boom on \(args.positional[0].stringValue!)", plugin: "boom") }
            return .value(.string(args.positional[0].stringValue! + "!"))
        }]))
        try chain.registry.register(PluginManifest(name: "c", kind: "k", priority: 1), instance: stage("c"))
        try await chain.registry.setupAll()
        return chain
    }

    func walk(_ input: JSONValue = "", halting: Bool = true) -> ChainStepper {
        ChainStepper(tracer: ChainTracer(registry: registry, kind: "k", hook: "go"), input: input, haltOnError: halting)
    }
}

@Suite struct WalkTests {
    func statuses(_ r: TraceResult) -> [String] { r.stages.map { "\($0.plugin):\($0.status.rawValue)" } }

    @Test func anErrorStopsTheWalkAtTheStageAndRetryRunsItAgain() async throws {
        let chain = try await Chain.make()
        let walk = chain.walk()
        await walk.run(.end, checkFirst: false)
        #expect(walk.isHalted && !walk.isFinished)
        #expect(walk.upcoming?.record.name == "boom")
        #expect(walk.result.error?.message == "boom on ab")
        guard case .error(plugin: "boom")? = walk.pause else { Issue.record("no error pause: \(String(describing: walk.pause))"); return }
        // Still broken: it stays there, with the failed attempt kept.
        _ = try await walk.retry()
        #expect(walk.isHalted)
        chain.broken.withLock { $0 = false }
        let retried = try await walk.retry()
        #expect(retried.after == "ab!")
        #expect(walk.upcoming?.record.name == "c")
        await walk.run(.end, checkFirst: false)
        #expect(walk.result.output == "ab!c")
        #expect(walk.branches[0].steps.map(\.failedAttempts.count) == [0, 0, 2, 0])
    }

    @Test func aTraceEndsAtAnErrorUnlessItHalts() async throws {
        let chain = try await Chain.make()
        let walk = chain.walk(halting: false)
        await walk.run(.end)
        #expect(walk.isFinished)
        #expect(statuses(walk.result) == ["a:changed", "b:changed", "boom:error", "c:not_run"])
        #expect(walk.result.error?.plugin == "boom")
    }

    @Test func setAndSkipAtAStageThatRaised() async throws {
        let chain = try await Chain.make()
        let walk = chain.walk()
        await walk.run(.end, checkFirst: false)
        try walk.set("X")
        #expect(walk.isHalted)
        #expect(walk.skip()?.status == .skipped)
        await walk.run(.end, checkFirst: false)
        #expect(walk.result.output == "Xc")
        #expect(statuses(walk.result) == ["a:changed", "b:changed", "boom:skipped", "c:changed"])
    }

    @Test func backThenSetStartsABranchAndKeepsTheOldOne() async throws {
        let chain = try await Chain.make()
        chain.broken.withLock { $0 = false }
        let walk = chain.walk()
        await walk.run(.end, checkFirst: false)
        #expect(walk.result.output == "ab!c")
        try walk.back(2)
        #expect(!walk.isFinished)
        #expect(walk.upcoming?.record.name == "boom")
        #expect(walk.currentValue == "ab")
        try walk.set("Z")
        #expect(walk.branches.count == 2)
        await walk.run(.end, checkFirst: false)
        #expect(walk.result.output == "Z!c")
        let old = walk.branches[0], new = walk.branches[1]
        #expect(old.end?.output == "ab!c")
        #expect(new.parent == 1 && new.forkedAt == 2 && new.origin == "set before 3/4 boom (from branch 1)")
        #expect(new.steps.map(\.plugin) == ["a", "b", "boom", "c"])
        #expect(new.steps[2].edit?.replaced == "ab" && new.steps[2].edit?.by == "Z")
        #expect(throws: WalkError.self) { try walk.back(5) }
    }

    @Test func gotoJumpsWithinTheBranchAndRunsUpToALaterStage() async throws {
        let chain = try await Chain.make()
        chain.broken.withLock { $0 = false }
        let walk = chain.walk()
        let ran = try await walk.goto(3)
        #expect(ran.stages.map(\.plugin) == ["a", "b", "boom"])
        #expect(walk.upcoming?.record.name == "c")
        _ = try await walk.goto(1)
        #expect(walk.currentValue == "a" && walk.branches.count == 1)
        _ = try await walk.goto(3)
        #expect(walk.currentValue == "ab!" && walk.branches.count == 1)
        await walk.next()
        #expect(walk.isFinished && walk.result.output == "ab!c")
    }

    @Test func gotoPastAStopIsRefused() async throws {
        let chain = try await Chain.make(stopAt: "a")
        let walk = chain.walk()
        await walk.run(.end, checkFirst: false)
        #expect(walk.result.stoppedBy == "b")
        await #expect(throws: WalkError.self) { try await walk.goto(3) }
    }

    @Test func breakpointsStopBeforeAPluginAfterAChangeAndAtAnError() async throws {
        let chain = try await Chain.make()
        let before = try Breakpoint.parse(id: 1, #"b if value == "a""#)
        let walk = chain.walk(halting: false)
        var run = await walk.run(.end, breakpoints: [before])
        #expect(run.stages.map(\.plugin) == ["a"])
        guard case .breakpoint(let hit)? = run.pause else { Issue.record("no pause"); return }
        #expect(hit.breakpoint.id == 1 && hit.plugin == "b" && hit.position == 2)
        // `continue` does not stop at the breakpoint it stands at.
        let change = try Breakpoint.parse(id: 2, "change value")
        run = await walk.run(.end, breakpoints: [before, change], checkFirst: false)
        #expect(run.stages.map(\.plugin) == ["b"])
        guard case .breakpoint(let second)? = run.pause else { Issue.record("no pause"); return }
        #expect(second.breakpoint.id == 2 && second.old == "a" && second.new == "ab")
        run = await walk.run(.end, breakpoints: [try Breakpoint.parse(id: 3, "error")], checkFirst: false)
        guard case .breakpoint(let third)? = run.pause else { Issue.record("no pause"); return }
        #expect(third.breakpoint.id == 3 && third.plugin == "boom")
        #expect(walk.isHalted)
        // A false condition does not stop.
        let quiet = chain.walk(halting: false)
        run = await quiet.run(.end, breakpoints: [try Breakpoint.parse(id: 4, #"b if value == "x""#)])
        #expect(run.pause == nil && quiet.isFinished)
    }

    @Test func aWalkRebindsToARegistryLoadedAgain() async throws {
        let chain = try await Chain.make()
        let walk = chain.walk()
        await walk.run(.end, checkFirst: false)
        let fixed = try await Chain.make()
        fixed.broken.withLock { $0 = false }
        #expect(try walk.rebind(to: fixed.registry) == nil)
        _ = try await walk.retry()
        await walk.run(.end, checkFirst: false)
        #expect(walk.result.output == "ab!c")
    }
}
