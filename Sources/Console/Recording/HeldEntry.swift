import Inspector
import PluginSystem

/// A replayed command that stopped at one of the user's breakpoints. Its walk is the user's to
/// drive until it ends — or reaches the point where the recorded command stopped — and then the
/// replay judges the entry: compared when the walk only ran on, excluded when the user changed it.
struct HeldEntry: Sendable {
    /// The replayed commands that walk a chain on to a breakpoint, and so may stop for the user's.
    enum Command: Sendable {
        case trace, call, `continue`

        init?(_ name: String) {
            switch name {
            case "trace", "again": self = .trace
            case "call": self = .call
            case "continue", "c": self = .continue
            default: return nil
            }
        }
    }

    /// Where a walk stood when a command began: how many branches it had, which one it was on, and
    /// how many of its steps were in effect.
    struct Mark: Sendable {
        var branches: Int
        var branch: Int
        var cursor: Int

        /// A walk the command started itself.
        static let fresh = Mark(branches: 1, branch: 1, cursor: 0)

        init(branches: Int, branch: Int, cursor: Int) {
            (self.branches, self.branch, self.cursor) = (branches, branch, cursor)
        }

        init(_ walk: ChainStepper) {
            self.init(branches: walk.branches.count, branch: walk.currentBranch, cursor: walk.cursor)
        }
    }

    var index: Int
    var entry: SessionFile.Entry
    var command: Command
    var walk: ChainStepper
    var start: Mark
    /// The user's breakpoint that stopped it.
    var hit: Breakpoint.Hit
    /// The entry's own breakpoints for this chain, as recorded: where the command stopped then.
    var recorded: [Breakpoint]
    /// What the command printed when it stopped.
    var paused: ExecutedCommand

    /// `breakpoint 1 (spellfix)`.
    var breakpointName: String { "breakpoint \(hit.breakpoint.id) (\(hit.breakpoint.spec))" }

    /// Whether the walk has got where the recorded command ended: the chain is over, it stopped at
    /// one of the recording's breakpoints, or — the walk unchanged — a stage raised, which ends the
    /// command there (a `continue` stands at it; a trace or a call fails). A walk the user changed
    /// stays theirs at a stage that raised: `retry`, `skip`, `abort`.
    var isDone: Bool { walk.isFinished || doneReason != nil }

    /// Why the walk goes back to the replay before its chain is over, if it does now.
    var doneReason: String? {
        switch walk.pause {
        case .breakpoint(let stop)? where recorded.contains { $0.spec == stop.breakpoint.spec }:
            return "the walk stopped where the recorded command stopped (the recording's breakpoint \(stop.breakpoint.id) (\(stop.breakpoint.spec))): the replay takes it back"
        case .error(let plugin)? where changes.isEmpty:
            return "\(plugin) raised, which ends the recorded command there: the replay takes the walk back"
        default:
            guard let stop = recordedStopAhead else { return nil }
            return "the walk stands before \(stop.plugin), where the recorded command stopped (the recording's breakpoint \(stop.breakpoint.id) (\(stop.breakpoint.spec))): the replay takes it back"
        }
    }

    /// The recorded breakpoint that stops before the stage the walk stands at (after `next`, which
    /// does not look at the next stage's breakpoints), when the walk is not stopped already.
    var recordedStopAhead: (plugin: String, breakpoint: Breakpoint)? {
        guard walk.pause == nil, !walk.isHalted, let next = walk.upcoming?.record.name else { return nil }
        return recorded.first { $0.stopsBefore(next, value: walk.currentValue) }.map { (next, $0) }
    }

    /// What the user did to the walk since the command began, beyond letting it run on.
    var changes: [String] {
        var what: [String] = []
        if walk.branches.count != start.branches || walk.currentBranch != start.branch || walk.cursor < start.cursor {
            what.append("went back")
        }
        let branch = walk.branches.first { $0.id == walk.currentBranch }
        let steps = (branch?.steps ?? []).prefix(walk.cursor).dropFirst(start.cursor)
        if steps.contains(where: { $0.edit != nil }) { what.append("set a value") }
        if steps.contains(where: { $0.stage.status == .skipped }) { what.append("skipped a stage") }
        if steps.contains(where: { !$0.failedAttempts.isEmpty }) { what.append("retried a stage") }
        if branch?.end?.aborted == true { what.append("aborted it") }
        return what
    }

    /// The stages that ran since the command began (what a `continue` reports).
    var ranSinceStart: [StageTrace] {
        let branch = walk.branches.first { $0.id == walk.currentBranch }
        return (branch?.steps ?? []).prefix(walk.cursor).dropFirst(start.cursor).map(\.stage).filter(\.ran)
    }

    /// The result the command would have given had it not stopped for the user, as recorded
    /// results are: `{"command": …, …}`.
    var unchangedResult: JSONValue {
        let output: any CommandOutput = switch command {
        case .trace: TraceCommand.Output(walk: walk)
        case .call: CallCommand.Output(chain: walk, CallCommand.Output(kind: walk.tracer.kind, hook: walk.tracer.hook, dispatch: .chain))
        case .continue: WalkOutput(event: .ran, walk: walk, stages: ranSinceStart)
        }
        var o: JSONObject = ["command": entry.result["command"] ?? .string(paused.name)]
        for (key, value) in output.json { o[key] = value }
        return .object(o)
    }
}
