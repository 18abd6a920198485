import PluginSystem
import Synchronization

/// Walks a chain: one stage at a time or on to a breakpoint; skip a stage, replace the value
/// before it, go back to an earlier stage or jump to another, re-run a stage that raised. Going
/// back and running forward again starts a new branch of the walk's history and keeps the old one
/// (`branches`), as Redux DevTools keeps its log. What the current branch has done so far is
/// always available as a `TraceResult`.
public final class ChainStepper: Sendable {
    private struct State {
        // What `result` is built from: a change to any of them drops the one built last.
        var tracer: ChainTracer { didSet { built = nil } }
        let input: JSONValue
        var branches: [WalkBranch] { didSet { built = nil } }
        /// Index of the current branch in `branches`.
        var current: Int { didSet { built = nil } }
        /// How many of the current branch's steps are in effect (fewer after `back`).
        var cursor: Int { didSet { built = nil } }
        /// `result` as last built: a trace reads it several times (to record the dispatch, to keep
        /// it as the last trace, to print it) and a replay once per command.
        var built: TraceResult?
        /// The value the next stage gets.
        var value: JSONValue
        /// A `set` waiting for the next stage.
        var edit: (replaced: JSONValue, by: JSONValue)?
        /// Whether a stage that raises stops the walk there (stepping) instead of ending the chain (trace).
        var haltOnError: Bool
        var pause: WalkPause?

        var branch: WalkBranch {
            get { branches[current] }
            set { branches[current] = newValue }
        }
        var atBranchEnd: Bool { cursor == branch.steps.count }
        var finished: Bool { atBranchEnd && branch.end != nil }
        /// The walk stands at a stage that raised: its step is the last one in effect.
        var halted: Bool { !finished && cursor > 0 && branch.steps[cursor - 1].stage.status == .error }
    }

    private let state: Mutex<State>
    private let progress: (any TraceProgress)?

    public init(tracer: ChainTracer, input: JSONValue, progress: (any TraceProgress)? = nil, haltOnError: Bool = false) {
        self.progress = progress
        let root = WalkBranch(id: 1, parent: nil, forkedAt: 0, origin: "start", steps: [], end: nil, pending: input)
        state = Mutex(State(tracer: tracer, input: input, branches: [root], current: 0, cursor: 0, value: input, haltOnError: haltOnError))
        // An unknown hook, or input that breaks the input schema: no stage runs.
        if let error = tracer.planError ?? tracer.inputViolation(input) {
            state.withLock { s in Self.finish(&s, WalkEnd(output: nil, stoppedBy: nil, error: error, aborted: false)) }
        }
    }

    // MARK: Where the walk stands

    public var tracer: ChainTracer { state.withLock { $0.tracer } }
    public var input: JSONValue { state.withLock { $0.input } }
    public var isFinished: Bool { state.withLock { $0.finished } }
    /// The walk stands at a stage that raised (`retry`, `skip`, `set`, `back`, `abort`).
    public var isHalted: Bool { state.withLock { $0.halted } }
    /// The value the next stage will receive.
    public var currentValue: JSONValue { state.withLock { $0.value } }
    /// Why the walk last stopped on its own (a breakpoint, an error), if it did.
    public var pause: WalkPause? { state.withLock { $0.pause } }
    public var branches: [WalkBranch] { state.withLock { $0.branches } }
    public var currentBranch: Int { state.withLock { $0.branch.id } }
    /// How many steps of the current branch are in effect (fewer than it has after `back`).
    public var cursor: Int { state.withLock { $0.cursor } }
    /// Whether errors stop the walk at the stage that raised.
    public var haltsOnError: Bool { state.withLock { $0.haltOnError } }

    /// From now on a stage that raises stops the walk there: a trace that paused is a step session.
    public func haltOnErrors() { state.withLock { $0.haltOnError = true } }

    /// The current branch as a trace: the stages in effect, and how the chain ended when it has.
    public var result: TraceResult {
        state.withLock { s in
            if let built = s.built { return built }
            let end = s.finished ? s.branch.end : nil
            let r = TraceResult(
                kind: s.tracer.kind, hook: s.tracer.hook, input: s.input, output: end?.output, stoppedBy: end?.stoppedBy,
                error: end?.error ?? (s.halted ? s.branch.steps[s.cursor - 1].stage.error : nil), stages: s.branch.steps.prefix(s.cursor).map(\.stage),
                aborted: end?.aborted ?? false)
            s.built = r
            return r
        }
    }

    /// The next stage that will run (at a stage that raised: that one), with its position (1-based)
    /// among all stages, or nil when the chain is over.
    public var upcoming: (record: PluginRecord, position: Int, total: Int)? {
        state.withLock { s in
            guard !s.finished else { return nil }
            var i = Self.nextIndex(s)
            while i < s.tracer.stages.count && !s.tracer.stages[i].runnable { i += 1 }
            guard i < s.tracer.stages.count else { return nil }
            return (s.tracer.stages[i].record, i + 1, s.tracer.stages.count)
        }
    }

    /// Where the next stage is: right after the last stage in effect (by name, so it holds after a
    /// reload reordered the chain), or the stage that raised when the walk stands at one.
    private static func nextIndex(_ s: State) -> Int {
        let stages = s.tracer.stages
        let inEffect = s.branch.steps.prefix(s.cursor)
        if s.halted, let failed = inEffect.last, let position = s.tracer.position(of: failed.plugin) { return position }
        let done = Set(inEffect.map(\.plugin))
        let after = inEffect.last.flatMap { s.tracer.position(of: $0.plugin) } ?? -1
        var i = after + 1
        while i < stages.count && done.contains(stages[i].record.name) { i += 1 }
        return min(i, stages.count)
    }

    // MARK: Running forward

    /// How far `run` goes.
    public enum Limit: Sendable, Equatable {
        /// One stage.
        case one
        /// To the end, a breakpoint, or a stage that raises (when errors halt).
        case end
        /// Up to (not into) the stage at this 0-based position.
        case before(Int)
    }

    /// What a run did: the stages it ran, and why it stopped where it did.
    public struct Run: Sendable {
        public var stages: [StageTrace] = []
        public var pause: WalkPause?
    }

    /// Runs forward. A plugin breakpoint stops before its stage (except the first stage when
    /// `checkFirst` is false: `continue` from a breakpoint does not stop at it again); a change
    /// breakpoint stops after the stage that changed its path; a stage that raises stops the walk
    /// when errors halt (stepping) or a breakpoint says `error`. Going forward from an earlier
    /// point (after `back` or `goto`) starts a new branch named `origin`.
    @discardableResult
    public func run(_ limit: Limit, breakpoints: [Breakpoint] = [], checkFirst: Bool = true, origin: String? = nil) async -> Run {
        var run = Run()
        var first = true
        state.withLock { $0.pause = nil }
        while true {
            // Decide what to run next, under the lock; run it outside.
            enum Next { case stop, single(Int), batch([Int]) }
            let next: Next = state.withLock { s in
                guard !s.finished, !s.halted else { return .stop }
                if first { Self.forkIfNeeded(&s, origin: origin ?? "next") }
                Self.appendIdle(&s)
                let p = Self.nextIndex(s)
                guard p < s.tracer.stages.count else {
                    Self.finish(&s, WalkEnd(output: s.value, stoppedBy: nil, error: nil, aborted: false))
                    return .stop
                }
                if case .before(let target) = limit, p >= target { return .stop }
                let plugin = s.tracer.stages[p].record.name
                if !first || checkFirst, let hit = breakpoints.first(where: { $0.stopsBefore(plugin, value: s.value) }) {
                    s.pause = .breakpoint(Breakpoint.Hit(breakpoint: hit, plugin: plugin, position: p + 1, old: nil, new: nil))
                    return .stop
                }
                // Consecutive stages of one batching host run in one exchange, unless a breakpoint
                // must look between them.
                guard limit == .end, !breakpoints.watchesChanges else { return .single(p) }
                var batch = [p]
                var i = p + 1
                while i < s.tracer.stages.count, s.tracer.stages[i].runnable,
                    !breakpoints.contains(where: { if case .plugin(s.tracer.stages[i].record.name, _) = $0.trigger { true } else { false } })
                {
                    batch.append(i)
                    i += 1
                }
                return batch.count > 1 ? .batch(batch) : .single(p)
            }
            first = false
            let (value, tracer) = state.withLock { ($0.value, $0.tracer) }
            var ran: [StageTrace]
            switch next {
            case .stop:
                run.pause = state.withLock { $0.pause }
                return run
            case .single(let p):
                ran = [await tracer.run(p, value: value, progress: progress)]
            case .batch(let positions):
                if let batch = await runBatch(tracer, positions, value: value) {
                    ran = batch
                } else {
                    ran = [await tracer.run(positions[0], value: value, progress: progress)]
                }
            }
            let stop = state.withLock { s in
                for stage in ran {
                    let step = Self.record(&s, stage, breakpoints: breakpoints)
                    run.stages.append(stage)
                    if let hit = breakpoints.lazy.compactMap({ bp in bp.changeAfter(step).map { (bp, $0) } }).first {
                        s.pause = .breakpoint(Breakpoint.Hit(
                            breakpoint: hit.0, plugin: stage.plugin, position: (s.tracer.position(of: stage.plugin) ?? 0) + 1, old: hit.1.old, new: hit.1.new))
                    }
                    if s.finished || s.halted || s.pause != nil { break }
                }
                Self.settle(&s)
                return s.finished || s.halted || s.pause != nil || limit == .one
            }
            if stop {
                run.pause = state.withLock { $0.pause }
                return run
            }
        }
    }

    /// Runs the stages at `positions` in one exchange; nil when their host cannot.
    private func runBatch(_ tracer: ChainTracer, _ positions: [Int], value: JSONValue) async -> [StageTrace]? {
        guard let plan = tracer.plan else { return nil }
        let records = positions.map { tracer.stages[$0].record }
        var activity = tracer.activity(positions[0])
        activity.batch = records.map(\.name)
        progress?.started(activity)
        let batch = await ChainDispatcher(tracer.registry).runBatch(records[...], in: plan, value: value, named: tracer.named, metadata: tracer.metadata)
        progress?.ended()
        guard let batch else { return nil }
        var input = value
        var stages: [StageTrace] = []
        for (record, result, duration) in batch {
            let stage = tracer.stage(record, before: input, result: result, duration: duration)
            stages.append(stage)
            if let after = stage.after { input = after }
        }
        return stages
    }

    /// Records a stage that ran: STOP_CHAIN ends the chain; an error stops the walk at the stage
    /// (stepping, or `break error`) or ends the chain; otherwise the value passes on.
    private static func record(_ s: inout State, _ stage: StageTrace, breakpoints: [Breakpoint]) -> WalkStep {
        var step = WalkStep(plugin: stage.plugin, input: s.value, stage: stage)
        step.edit = s.edit
        s.edit = nil
        s.branch.steps.append(step)
        s.cursor = s.branch.steps.count
        switch stage.status {
        case .stopped:
            finish(&s, WalkEnd(output: s.value, stoppedBy: stage.plugin, error: nil, aborted: false))
        case .error:
            if s.haltOnError || breakpoints.breaksOnError {
                let hit = breakpoints.first { $0.trigger == .error }
                let position = (s.tracer.position(of: stage.plugin) ?? 0) + 1
                s.pause = hit.map { .breakpoint(Breakpoint.Hit(breakpoint: $0, plugin: stage.plugin, position: position)) } ?? .error(plugin: stage.plugin)
            } else {
                finish(&s, WalkEnd(output: nil, stoppedBy: nil, error: stage.error, aborted: false))
            }
        default:
            s.value = step.output
        }
        return step
    }

    /// Runs the next stage; returns its trace, or nil when the chain is over (or stands at a stage
    /// that raised: `retry` runs that one).
    @discardableResult
    public func next() async -> StageTrace? {
        await run(.one, checkFirst: false).stages.last
    }

    /// Runs the next stages in one exchange when their host can, else the next stage alone;
    /// returns what ran, or nil when the chain is over.
    @discardableResult
    public func nextBatch() async -> [StageTrace]? {
        let run = await run(.end, checkFirst: false)
        return run.stages.isEmpty ? nil : run.stages
    }

    /// Runs the stage that raised again, on the value it was given or the one `set` since.
    public func retry() async throws(WalkError) -> StageTrace {
        let (position, value, tracer) = try state.withLock { s throws(WalkError) in
            guard s.halted else {
                throw WalkError(s.finished ? "the chain is over: nothing to retry (`back` or `goto` to run a stage again)"
                    : "nothing to retry: `retry` runs again a stage that raised; the walk stands before \(Self.describeNext(s))")
            }
            let failed = s.branch.steps[s.cursor - 1]
            guard let position = s.tracer.position(of: failed.plugin), s.tracer.stages[position].runnable else {
                throw WalkError("'\(failed.plugin)' is no longer an active stage of \(s.tracer.kind).\(s.tracer.hook): `skip` it or `abort`")
            }
            return (position, s.value, s.tracer)
        }
        state.withLock { $0.pause = nil }
        let stage = await tracer.run(position, value: value, progress: progress)
        state.withLock { s in
            let failed = s.branch.steps.removeLast()
            s.cursor -= 1
            // The value the stage gets now is an edit of what reached it, whenever it was made.
            if let edit = s.edit {
                s.edit = (replaced: failed.edit?.replaced ?? edit.replaced, by: edit.by)
            } else {
                s.edit = failed.edit
            }
            let index = s.branch.steps.count
            _ = Self.record(&s, stage, breakpoints: [])
            s.branch.steps[index].failedAttempts = failed.failedAttempts + [failed.stage]
            Self.settle(&s)
        }
        return stage
    }

    // MARK: Changing the walk

    /// Passes the value on without running the next stage (or the stage that raised).
    @discardableResult
    public func skip() -> StageTrace? {
        state.withLock { s in
            guard !s.finished else { return nil }
            s.pause = nil
            if s.halted {
                // The stage that raised is passed over: the value it was given (or `set` since) goes on.
                var failed = s.branch.steps.removeLast()
                failed.failedAttempts.append(failed.stage)
                failed.stage = Self.skipped(failed.stage, value: s.value)
                failed.edit = s.edit ?? failed.edit
                failed.input = s.value
                s.edit = nil
                s.branch.steps.append(failed)
                Self.settle(&s)
                return failed.stage
            }
            Self.forkIfNeeded(&s, origin: "skip")
            Self.appendIdle(&s)
            let p = Self.nextIndex(s)
            guard p < s.tracer.stages.count else {
                Self.finish(&s, WalkEnd(output: s.value, stoppedBy: nil, error: nil, aborted: false))
                return nil
            }
            let record = s.tracer.stages[p].record
            let stage = StageTrace(
                plugin: record.name, priority: record.priority, status: .skipped, before: s.value, after: s.value, diff: [],
                durationMicros: nil, logs: [], error: nil, note: "skipped while stepping", middleware: [])
            var step = WalkStep(plugin: record.name, input: s.value, stage: stage)
            step.edit = s.edit
            s.edit = nil
            s.branch.steps.append(step)
            s.cursor = s.branch.steps.count
            Self.settle(&s)
            return stage
        }
    }

    static func skipped(_ stage: StageTrace, value: JSONValue) -> StageTrace {
        StageTrace(
            plugin: stage.plugin, priority: stage.priority, status: .skipped, before: value, after: value, diff: [],
            durationMicros: nil, logs: [], error: nil, note: "skipped while stepping", middleware: [])
    }

    /// Replaces the value the next stage receives (at a stage that raised: the value `retry` gives it).
    public func set(_ value: JSONValue) throws(WalkError) {
        try state.withLock { s throws(WalkError) in
            guard !s.finished else { throw WalkError("the chain is over: `back` or `goto` a stage first, then `set`") }
            if !s.halted { Self.forkIfNeeded(&s, origin: "set before \(Self.describeNext(s))") }
            s.pause = nil
            s.edit = (replaced: s.edit?.replaced ?? s.value, by: value)
            s.value = value
        }
    }

    /// Ends the walk; the stages not run are recorded as such.
    public func abort() {
        state.withLock { s in
            guard !s.finished else { return }
            s.pause = nil
            if s.halted {
                let error = s.branch.steps[s.cursor - 1].stage.error
                Self.finish(&s, WalkEnd(output: nil, stoppedBy: nil, error: error, aborted: true))
                return
            }
            Self.forkIfNeeded(&s, origin: "abort before \(Self.describeNext(s))")
            Self.finish(&s, WalkEnd(output: s.value, stoppedBy: nil, error: nil, aborted: true))
        }
    }

    /// Goes back `count` stages (those that ran or were skipped): the walk stands before that
    /// stage again, with the value it was given. Nothing runs; the branch is kept as it was until
    /// something runs forward from here.
    public func back(_ count: Int = 1) throws(WalkError) {
        try state.withLock { s throws(WalkError) in
            guard count >= 1 else { throw WalkError("back takes a number of stages, 1 or more") }
            let point = s.halted ? s.cursor - 1 : s.cursor
            let candidates = (0..<point).filter { s.branch.steps[$0].isActionable }
            guard !candidates.isEmpty else { throw WalkError("already at the first stage: nothing to go back to") }
            guard candidates.count >= count else {
                throw WalkError("only \(candidates.count) stage\(candidates.count == 1 ? "" : "s") to go back: `back \(candidates.count)` goes to the first")
            }
            Self.move(&s, to: candidates[candidates.count - count])
        }
    }

    /// Stands before the stage at `position` (0-based): one this branch reached is jumped to
    /// without running anything; a later one is run up to (stopping at an error).
    public func goto(_ position: Int) async throws(WalkError) -> Run {
        let needsRun: Bool = try state.withLock { s throws(WalkError) in
            guard position >= 0, position < s.tracer.stages.count else {
                throw WalkError("no stage \(position + 1): \(s.tracer.kind).\(s.tracer.hook) has \(s.tracer.stages.count)")
            }
            let target = s.tracer.stages[position]
            guard target.runnable else {
                throw WalkError("stage \(position + 1) (\(target.record.name)) does not run: it is \(target.record.state.name)")
            }
            // A stage this branch ran or skipped (not one it recorded as never reached).
            if let k = s.branch.steps.firstIndex(where: { $0.plugin == target.record.name && $0.isActionable }) {
                Self.move(&s, to: k)
                return false
            }
            // Not reached in this branch: go to its end, then run on to the stage.
            if let end = s.branch.end {
                let how = end.stoppedBy.map { "stopped at \($0) (STOP_CHAIN)" } ?? (end.error != nil ? "failed" : "ended")
                throw WalkError("this branch never reached stage \(position + 1) (\(target.record.name)): the chain \(how) before it; `back` and change the value to get there")
            }
            if let last = s.branch.steps.last, last.stage.status == .error {
                throw WalkError("stage \((s.tracer.position(of: last.plugin) ?? 0) + 1) (\(last.plugin)) raised before stage \(position + 1): `retry` or `skip` it first")
            }
            if !s.atBranchEnd { Self.move(&s, to: s.branch.steps.count) }
            return true
        }
        guard needsRun else { return Run() }
        return await run(.before(position), origin: "goto")
    }

    /// Puts the cursor at step `k` of the current branch (k == count: its end).
    private static func move(_ s: inout State, to k: Int) {
        s.cursor = k
        s.pause = nil
        s.edit = nil
        if k < s.branch.steps.count {
            s.value = s.branch.steps[k].input
        } else if let last = s.branch.steps.last {
            s.value = last.stage.status == .error ? last.input : last.output
        } else {
            s.value = s.input
        }
    }

    /// Reattaches the walk to a registry loaded again (`reload`): later stages run the new code.
    /// Returns what changed in the chain's order, if anything; throws when the chain is gone.
    public func rebind(to registry: PluginRegistry) throws(WalkError) -> String? {
        try state.withLock { s throws(WalkError) in
            let old = s.tracer.stages.map(\.record.name)
            let tracer = s.tracer.rebound(to: registry)
            if let error = tracer.planError {
                throw WalkError("\(s.tracer.kind).\(s.tracer.hook) cannot run after the reload: \(error.message)")
            }
            s.tracer = tracer
            let now = tracer.stages.map(\.record.name)
            guard now != old else { return nil }
            var note = "the chain is now \(now.joined(separator: ", ")) (it was \(old.joined(separator: ", ")))"
            let done = Set(s.branch.steps.prefix(s.cursor).map(\.plugin))
            let passed = now.prefix(Self.nextIndex(s)).filter { !done.contains($0) && !old.contains($0) }
            if !passed.isEmpty { note += "; \(passed.joined(separator: ", ")) come\(passed.count == 1 ? "s" : "") before where the walk stands and will not run in it" }
            return note
        }
    }

    // MARK: Bookkeeping

    /// Going forward from an earlier point of the current branch starts a new branch there.
    private static func forkIfNeeded(_ s: inout State, origin: String) {
        guard !s.atBranchEnd else { return }
        let parent = s.branch
        let branch = WalkBranch(
            id: s.branches.count + 1, parent: parent.id, forkedAt: s.cursor, origin: "\(origin) (from branch \(parent.id))",
            steps: Array(parent.steps.prefix(s.cursor)), end: nil, pending: s.value)
        s.branches.append(branch)
        s.current = s.branches.count - 1
        s.cursor = branch.steps.count
    }

    /// Records the stages up to the next runnable one that will not run (switched off, failed).
    private static func appendIdle(_ s: inout State) {
        var p = nextIndex(s)
        while p < s.tracer.stages.count && !s.tracer.stages[p].runnable {
            s.branch.steps.append(WalkStep(plugin: s.tracer.stages[p].record.name, input: s.value, stage: s.tracer.idle(s.tracer.stages[p].record, before: nil)))
            s.cursor = s.branch.steps.count
            p = nextIndex(s)
        }
    }

    /// Ends the walk when no stage is left to run.
    private static func settle(_ s: inout State) {
        guard !s.finished, !s.halted else { return }
        var p = nextIndex(s)
        while p < s.tracer.stages.count && !s.tracer.stages[p].runnable { p += 1 }
        if p >= s.tracer.stages.count { finish(&s, WalkEnd(output: s.value, stoppedBy: nil, error: nil, aborted: false)) }
    }

    /// Ends the current branch; the stages it did not reach are recorded as not run.
    private static func finish(_ s: inout State, _ end: WalkEnd) {
        if !s.atBranchEnd { forkIfNeeded(&s, origin: "end") }
        var p = nextIndex(s)
        if s.halted { p += 1 }
        let done = Set(s.branch.steps.map(\.plugin))
        while p < s.tracer.stages.count {
            let record = s.tracer.stages[p].record
            if !done.contains(record.name) { s.branch.steps.append(WalkStep(plugin: record.name, input: s.value, stage: s.tracer.idle(record, before: nil))) }
            p += 1
        }
        s.branch.end = end
        s.cursor = s.branch.steps.count
    }

    /// `3/5 blacklist`: the stage the walk stands before.
    private static func describeNext(_ s: State) -> String {
        let p = nextIndex(s)
        guard p < s.tracer.stages.count else { return "the end" }
        return "\(p + 1)/\(s.tracer.stages.count) \(s.tracer.stages[p].record.name)"
    }
}

/// Why a walk cannot do what was asked, said so a person knows what to do instead.
public struct WalkError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
