import Inspector
import PluginSystem

/// The walk in progress and the last one that finished: starting, pausing, ending, and carrying
/// them across a reload.
extension ConsoleState {
    /// A walk under the user's control: a step session, or a trace that stopped at a breakpoint.
    /// From now on a stage that raises stops it there.
    func beginStepping(_ walk: ChainStepper) {
        walk.haltOnErrors()
        stepper = walk
    }

    func setWalkView(_ view: TraceText.View) { debugger.walkView = view }

    /// Whether a walk is in progress (the prompt shows where).
    var isStepping: Bool { stepper.map { !$0.isFinished } ?? false }

    /// After any command that moved a walk: a walk that ended becomes the last finished one (its
    /// trace is the one `reload` runs again).
    func settle(_ walk: ChainStepper) {
        recordDispatch(DispatchRecord(trace: walk.result))
        guard walk.isFinished else { return }
        if stepper === walk { stepper = nil }
        debugger.lastWalk = walk
        lastTrace = walk.result
    }

    /// The walk `back`, `goto`, `retry` and `history` act on: the one in progress, else the last
    /// finished one — which going back reopens as a step session.
    func currentWalk(reopen: Bool) throws(ConsoleError) -> ChainStepper {
        if let stepper, !stepper.isFinished { return stepper }
        guard let last = debugger.lastWalk else {
            throw ConsoleError("nothing to go back in: trace or step a chain first (`trace KIND.HOOK JSON`)")
        }
        if reopen { beginStepping(last) }
        return last
    }

    /// Counts the hit of the breakpoint that paused a walk.
    func countHit(_ pause: WalkPause?) {
        guard case .breakpoint(let hit)? = pause, let index = debugger.breakpoints.firstIndex(where: { $0.id == hit.breakpoint.id }) else { return }
        debugger.breakpoints[index].hits += 1
    }

    /// The breakpoints that apply to a walk of this chain, as they stand now.
    func breakpoints(for walk: ChainStepper) -> [Breakpoint] { debugger.applying(to: walk.tracer) }

    func recordDispatch(_ record: DispatchRecord) { debugger.record(record) }

    /// After the directory was read again: the walks go on with the new code. Returns what the
    /// load's summary says about the walk in progress.
    func rebindWalks(to registry: PluginRegistry) -> String? {
        var note: String?
        if let walk = stepper, !walk.isFinished {
            do {
                let change = try walk.rebind(to: registry)
                let at = walk.upcoming.map { "\($0.position)/\($0.total) \($0.record.name)" } ?? "the end"
                note = "the walk of \(walk.tracer.kind).\(walk.tracer.hook) goes on with the new code at \(at)"
                    + (walk.isHalted ? " (`retry` runs the stage that raised again)" : "") + (change.map { "; \($0)" } ?? "")
            } catch {
                note = "the walk of \(walk.tracer.kind).\(walk.tracer.hook) ended: \(error.message)"
                stepper = nil
            }
        }
        if let last = debugger.lastWalk, last !== stepper, (try? last.rebind(to: registry)) == nil { debugger.lastWalk = nil }
        return note
    }

    /// Another directory was loaded: no walk goes on.
    func endWalks() -> String? {
        let note = stepper.flatMap { $0.isFinished ? nil : "the walk of \($0.tracer.kind).\($0.tracer.hook) ended: another directory is loaded" }
        stepper = nil
        debugger.lastWalk = nil
        debugger.dispatches = [:]
        debugger.dispatchOrder = []
        return note
    }

    /// A switch (`disable`, `enable`, `priority`) cannot change a walk under way: the stepper runs the
    /// order it started with. Refused for the plugins of the chain being stepped (and its middleware).
    func refuseWhileStepping(_ plugin: String, _ what: String) throws(ConsoleError) {
        guard let stepper, !stepper.isFinished else { return }
        let tracer = stepper.tracer
        let involved = tracer.stages.contains { $0.record.name == plugin }
            || registry?.middleware(kind: tracer.kind, hook: tracer.hook).contains { $0.name == plugin } == true
        guard involved else { return }
        throw ConsoleError("cannot \(what) while stepping \(tracer.kind).\(tracer.hook): the step runs the order it started with; `abort` it first")
    }

    /// What the prompt shows while stepping: `step kind.hook 2/5 plugin`, with `raised` at a stage
    /// that raised.
    var stepPrompt: String? {
        guard let stepper, let next = stepper.upcoming else { return nil }
        return "step \(stepper.tracer.kind).\(stepper.tracer.hook) \(next.position)/\(next.total) \(next.record.name)"
            + (stepper.isHalted ? " raised" : "")
    }
}
