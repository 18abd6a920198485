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
        // A held replay walk's ending is the replay's to record (`handBackIfDone`).
        guard walk !== heldWalk else { return }
        let result = walk.result
        recordDispatch(DispatchRecord(trace: result))
        guard walk.isFinished else { return }
        if stepper === walk { stepper = nil }
        debugger.lastWalk = walk
        lastTrace = result
        lastTraceSteering = Self.steering(of: walk)
    }

    /// How the user changed a walk's course, if they did: its result is then theirs as much as the
    /// plugins', and `reload` does not compare a new run with it.
    static func steering(of walk: ChainStepper) -> String? {
        if walk.branches.count > 1 { return "you went back while stepping it" }
        if walk.branches.contains(where: { $0.steps.contains { $0.edit != nil } }) { return "you set a value while stepping it" }
        if walk.result.stages.contains(where: { $0.status == .skipped }) { return "you skipped a stage while stepping it" }
        return nil
    }

    /// The walk `back`, `goto`, `retry` and `history` act on: the one in progress, else the last
    /// finished one — which going back reopens as a step session.
    func currentWalk(for command: String, reopen: Bool) throws(ConsoleError) -> ChainStepper {
        if let stepper, !stepper.isFinished { return stepper }
        guard let last = debugger.lastWalk else {
            let does = switch command {
            case "history": "lists the branches of a walk"
            case "goto": "jumps to a stage of a walk"
            default: "goes back in a walk"
            }
            throw ConsoleError("no walk yet: `\(command)` \(does), the last trace or step session; run one first — `trace KIND.HOOK JSON` (or `step KIND.HOOK JSON` for one stage at a time)")
        }
        if reopen { beginStepping(last) }
        return last
    }

    /// Counts the hit of the breakpoint that paused a walk.
    func countHit(_ pause: WalkPause?) {
        // By number and spec: in a replay's session a guest breakpoint may share a number with one of its own.
        guard case .breakpoint(let hit)? = pause,
            let index = debugger.breakpoints.firstIndex(where: { $0.id == hit.breakpoint.id && $0.spec == hit.breakpoint.spec })
        else { return }
        debugger.breakpoints[index].hits += 1
    }

    /// The breakpoints that apply to a walk of this chain, as they stand now. A replayed walk held
    /// here also stops where the recorded command stopped (its recorded breakpoints come first).
    func breakpoints(for walk: ChainStepper) -> [Breakpoint] {
        guard let held = replayer?.held, held.walk === walk else { return debugger.applying(to: walk.tracer) }
        let recorded = Set(held.recorded.map(\.spec))
        return held.recorded + debugger.applying(to: walk.tracer).filter { !recorded.contains($0.spec) }
    }

    /// The walk of a replayed command that stopped at one of this console's breakpoints, while it
    /// is the user's to drive: it belongs to the replay's session, not to this one.
    var heldWalk: ChainStepper? { replayer?.held?.walk }

    func recordDispatch(_ record: DispatchRecord) { debugger.record(record) }

    /// After the directory was read again: the walks go on with the new code. Returns what the
    /// load's summary says about the walk in progress.
    func rebindWalks(to registry: PluginRegistry) -> String? {
        var note: String?
        // A held replay walk runs the replay's plugins, which a reload here does not touch.
        if let walk = stepper, !walk.isFinished, walk !== heldWalk {
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

    /// Another directory was loaded: no walk goes on — except a held replay walk, which runs the
    /// plugins the replay loaded.
    func endWalks() -> String? {
        debugger.lastWalk = nil
        debugger.dispatches = [:]
        debugger.dispatchOrder = []
        if let held = heldWalk {
            return "the walk of the paused replay (\(held.tracer.kind).\(held.tracer.hook)) goes on: it runs the plugins the replay loaded"
        }
        let note = stepper.flatMap { $0.isFinished ? nil : "the walk of \($0.tracer.kind).\($0.tracer.hook) ended: another directory is loaded" }
        stepper = nil
        return note
    }

    /// A switch (`disable`, `enable`, `priority`) cannot change a walk under way: the stepper runs the
    /// order it started with. Refused for the plugins of the chain being stepped (and its middleware).
    func refuseWhileStepping(_ plugin: String, _ what: String) throws(ConsoleError) {
        // A held replay walk runs the replay's plugins: switches here do not reach it.
        guard let stepper, !stepper.isFinished, stepper !== heldWalk else { return }
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
