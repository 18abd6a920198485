import Inspector
import PluginHosts
import PluginSystem

/// `step KIND.HOOK JSON`: walk a chain one stage at a time. While stepping, `next`, `continue`,
/// `skip`, `set JSON` and `abort` drive it (and `back`, `goto`, `retry`, `history`: WalkCommands)
/// and the prompt shows where you are.
enum StepCommand {
    static let verbs = ["next", "into", "continue", "skip", "set", "abort"]

    static let usage = "step KIND.HOOK JSON|example[N]|@FILE"

    static let spec = CommandSpec(
        name: "step", usage: usage, summary: "walk a chain one stage at a time",
        help: """
            Starts walking the chain KIND.HOOK with JSON as its input, stopping before every stage.
            Then: next (n) runs the stage and shows its diff; into runs it under pdb, stopped at the first
            line of the plugin's hook (a Python plugin, the console on a terminal); continue (c) runs on to the next breakpoint
            or the end; skip (s) passes the value on without running the stage; set JSON (or set
            /path=JSON …) replaces the value the next stage gets; abort (a) stops. back [N] returns to an
            earlier stage, goto PLUGIN|N jumps to one, history lists the branches the walk took. A stage
            that raises stops the walk there: retry runs it again (after set, or after reload picked up
            a fix), skip passes the value on without it. The walk survives reload. Other commands keep
            working while you step.
            """,
        arguments: [.kindHook, .chainInput],
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            let (kind, hook, input) = try args.chainRequest(registry: registry, usage: usage)
            let walk = ChainStepper(tracer: ChainTracer(registry: registry, kind: kind, hook: hook), input: input, progress: await console.progress, haltOnError: true)
            // An unknown hook, or input that breaks the hook's input schema: nothing to step through.
            if let error = walk.tracer.planError ?? walk.result.error { throw ConsoleError(error) }
            await console.beginStepping(walk)
            await console.setWalkView(TraceText.View())
            return WalkOutput(event: .started, walk: walk, stages: [])
        })

    /// A step verb, typed while stepping.
    static func verb(_ name: String, _ args: CommandArguments, console: ConsoleState) async throws(ConsoleError) -> any CommandOutput {
        guard let walk = await console.stepper, !walk.isFinished else {
            throw ConsoleError("not stepping; start with `step KIND.HOOK JSON`" + (await console.debugger.lastWalk != nil ? " (or `back` into the last walk)" : ""))
        }
        if walk.isHalted && (name == "next" || name == "into" || name == "continue") {
            let at = walk.upcoming.map { "\($0.position)/\($0.total) \($0.record.name)" } ?? "the stage"
            throw ConsoleError("stage \(at) raised: `retry` runs it again, `skip` passes the value on without it, `set JSON` changes what it gets, `back` goes back, `abort` ends the walk")
        }
        var stages: [StageTrace] = []
        let event: WalkOutput.Event
        var abortedAt: WalkOutput.AbortPoint?
        switch name {
        case "next":
            // One stage; a `change` breakpoint it trips is reported.
            stages = await walk.run(.one, breakpoints: await console.breakpoints(for: walk), checkFirst: false).stages
            event = .ran
        case "into":
            // The next stage as `next` runs it, with pdb stopped at the first line of its hook.
            try await console.requireDebugger("into")
            guard let upcoming = walk.upcoming else { throw ConsoleError("the walk has no next stage") }
            try PostMortemCommand.requirePython(upcoming.record)
            let target = DebugTarget(plugin: upcoming.record.name, hook: walk.tracer.hook)
            let breakpoints = await console.breakpoints(for: walk)
            stages = await DebugTarget.$current.withValue(target) {
                await walk.run(.one, breakpoints: breakpoints, checkFirst: false).stages
            }
            event = .ran
        case "continue":
            // The stage the walk stands before is not a stop again, unless the walk stopped after
            // the stage before it (a `change` breakpoint): its own breakpoints have not spoken yet.
            let stoppedAfter = if case .breakpoint(let hit)? = walk.pause, case .change = hit.breakpoint.trigger { true } else { false }
            stages = await walk.run(.end, breakpoints: await console.breakpoints(for: walk), checkFirst: stoppedAfter, origin: "continue").stages
            event = .ran
        case "skip":
            if let stage = walk.skip() { stages.append(stage) }
            event = .skipped
        case "set":
            let value = try args.valueEdit(walk.currentValue, usage: "set JSON | set /PATH=JSON ...")
            do throws(WalkError) { try walk.set(value) } catch { throw ConsoleError(error.message) }
            event = .set
        default:
            abortedAt = walk.upcoming.map { .init(plugin: $0.record.name, position: $0.position, total: $0.total, raised: walk.isHalted) }
            walk.abort()
            event = .aborted
        }
        await console.countHit(walk.pause)
        await console.settle(walk)
        var output = WalkOutput(event: event, walk: walk, stages: stages, view: await console.debugger.walkView)
        output.abortedAt = abortedAt
        return output
    }
}

/// What a step verb, `back`, `goto` or `retry` did, and where the walk stands now.
struct WalkOutput: CommandOutput {
    enum Event: String { case started, ran, skipped, set, aborted, back, goto, retried }
    var event: Event
    var stages: [StageTrace]
    var finished: Bool
    var halted: Bool
    var result: TraceResult
    var value: JSONValue
    var upcoming: (name: String, priority: Int, position: Int, total: Int)?
    /// What can be typed now (`into` only before a Python stage, `back` only after a stage ran).
    var verbs: String
    /// Each stage's place in the chain (1-based), which is its number however the walk went.
    var positions: [String: Int]
    var pause: WalkPause?
    var branch: Int
    var branches: Int
    /// What a reload changed, or what going back abandoned.
    var note: String?
    var view: TraceText.View
    /// The stage an `abort` left the walk at (nil when every stage had run).
    var abortedAt: AbortPoint?

    struct AbortPoint {
        var plugin: String
        var position: Int
        var total: Int
        /// The walk stood at a stage that raised.
        var raised: Bool

        var json: JSONValue {
            ["plugin": .string(plugin), "position": .int(position), "of": .int(total), "raised": .bool(raised)]
        }

        /// `aborted before 3/5 spellfix: stages 3 to 5 did not run, so the chain has no output`.
        var text: String {
            let first = raised ? position + 1 : position
            let left = first > total ? "" : first == total ? "stage \(total) did not run, so " : "stages \(first) to \(total) did not run, so "
            return (raised ? "aborted at \(position)/\(total) \(plugin), which raised" : "aborted before \(position)/\(total) \(plugin)")
                + ": \(left)the chain has no output"
        }
    }

    init(event: Event, walk: ChainStepper, stages: [StageTrace], note: String? = nil, view: TraceText.View = TraceText.View()) {
        self.view = view
        self.event = event
        self.stages = stages
        finished = walk.isFinished
        halted = walk.isHalted
        result = walk.result
        value = walk.currentValue
        upcoming = walk.upcoming.map { ($0.record.name, $0.record.priority, $0.position, $0.total) }
        verbs = WalkText.verbs(
            halted: walk.isHalted, into: walk.upcoming?.record.instance is PythonPlugin,
            back: walk.result.stages.contains { $0.ran || $0.status == .skipped })
        positions = Dictionary(walk.tracer.stages.enumerated().map { ($1.record.name, $0 + 1) }, uniquingKeysWith: { a, _ in a })
        pause = walk.pause
        branch = walk.currentBranch
        branches = walk.branches.count
        self.note = note
    }

    /// A walk that stands at a stage that raised did not succeed (the chain raised), as a trace
    /// that ended there would not have.
    var succeeded: Bool { result.error == nil || (!finished && !halted) }
    var pluginFailures: [DagstackError] { stages.compactMap(\.error) }

    var json: JSONObject {
        var o: JSONObject = [
            "event": .string(event.rawValue), "kind": .string(result.kind), "hook": .string(result.hook),
            "stages": .array(stages.map(TraceJSON.stage)), "value": value, "finished": .bool(finished),
        ]
        o["next"] = upcoming.map { ["plugin": .string($0.name), "priority": .int($0.priority), "position": .int($0.position), "of": .int($0.total)] } ?? .null
        if branches > 1 || branch > 1 { o["branch"] = .int(branch) }
        if halted { o["halted"] = true }
        if let pause { o["paused"] = WalkText.pauseJSON(pause) }
        if let note { o["note"] = .string(note) }
        if let abortedAt { o["aborted"] = abortedAt.json }
        if finished { o["trace"] = .object(TraceJSON.object(result)) }
        return o
    }

    func text(_ style: TextStyle) -> String {
        var lines: [String] = []
        switch event {
        case .started: lines.append(style.bold("stepping \(result.kind).\(result.hook)") + "  " + style.dim("input ") + ValueText.short(value))
        case .set: lines.append("the next stage gets " + ValueText.short(value))
        case .aborted: lines.append(style.yellow(abortedAt?.text ?? "aborted: the chain has no output"))
        case .back, .goto:
            if let next = upcoming {
                lines.append("at \(next.position)/\(next.total) \(next.name) (branch \(branch)); it gets " + ValueText.short(value))
            }
        default: break
        }
        if let note { lines.append(style.dim(note)) }
        lines += TraceText.stages(stages, numbers: stages.map { positions[$0.plugin] ?? 0 }, nameWidth: TraceText.nameWidth(positions.keys), style, view: view)
        if let pause { lines.append(WalkText.pauseLine(pause, style)) }
        if finished && result.aborted {
            lines.append(style.dim("value reached ") + ValueText.short(value))
        } else if finished {
            if let error = result.error { lines.append(style.red("chain failed") + (error.plugin.map { " at \($0)" } ?? ": \(error.message)")) }
            else {
                lines.append(style.dim("output ") + ValueText.short(result.output ?? .null) + TraceText.stoppedBy(result.stoppedBy, style))
            }
        } else if halted, let at = upcoming {
            lines.append(style.dim("at \(at.position)/\(at.total) \(at.name), which raised — \(verbs)"))
        } else if let next = upcoming {
            lines.append(style.dim("next: \(next.position)/\(next.total) \(next.name) (\(next.priority)) — \(verbs)"))
        }
        return lines.joined(separator: "\n")
    }
}

/// How a walk's pause reads, in text and JSON (shared by traces that stop and step verbs).
enum WalkText {
    /// The verbs a walk takes where it stands, as its hint lines list them.
    static func verbs(halted: Bool, into: Bool, back: Bool) -> String {
        let words = halted
            ? ["retry", "skip", "set JSON"] + (back ? ["back"] : []) + ["abort"]
            : ["next"] + (into ? ["into"] : []) + ["continue", "skip", "set JSON"] + (back ? ["back"] : []) + ["abort"]
        return words.joined(separator: ", ")
    }

    static func pauseJSON(_ pause: WalkPause) -> JSONValue {
        switch pause {
        case .error(let plugin):
            return ["reason": "error", "plugin": .string(plugin)]
        case .breakpoint(let hit):
            var o: JSONObject = [
                "reason": "breakpoint", "breakpoint": BreakpointJSON.object(hit.breakpoint, hits: false),
                "plugin": .string(hit.plugin), "position": .int(hit.position),
            ]
            if case .change = hit.breakpoint.trigger {
                o["old"] = hit.old ?? .null
                o["new"] = hit.new ?? .null
            }
            return .object(o)
        }
    }

    static func pauseLine(_ pause: WalkPause, _ style: TextStyle) -> String {
        switch pause {
        case .error(let plugin):
            return style.yellow("stopped at \(plugin), which raised")
        case .breakpoint(let hit):
            let head = style.yellow("breakpoint \(hit.breakpoint.id)") + style.dim(" (\(hit.breakpoint.spec))")
            switch hit.breakpoint.trigger {
            case .plugin: return head + " — stopped before \(hit.position) \(hit.plugin)"
            case .error: return head + " — \(hit.position) \(hit.plugin) raised"
            case .change(let path):
                let show = { (v: JSONValue?) in v.map { ValueText.short($0, limit: 60) } ?? "(absent)" }
                return head + " — \(hit.position) \(hit.plugin) changed \(path.tokens.isEmpty ? "the value" : path.description): \(show(hit.old)) → \(show(hit.new))"
            }
        }
    }
}
