import Inspector
import PluginSystem

/// `step KIND.HOOK JSON`: walk a chain one stage at a time. While stepping, `next`, `continue`,
/// `skip`, `set JSON` and `abort` drive it and the prompt shows where you are.
enum StepCommand {
    static let verbs = ["next", "continue", "skip", "set", "abort"]

    static let usage = "step KIND.HOOK JSON"

    static let spec = CommandSpec(
        name: "step", usage: usage, summary: "walk a chain one stage at a time",
        help: """
            Starts walking the chain KIND.HOOK with JSON as its input, stopping before every stage.
            Then: next (n) runs the stage and shows its diff; continue (c) runs the rest; skip (s) passes
            the value on without running the stage; set JSON replaces the value the next stage gets;
            abort (a) stops. Other commands keep working while you step.
            """,
        arguments: [.kindHook],
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            let (kind, hook, input) = try args.chainRequest(registry: registry, usage: usage)
            let stepper = ChainStepper(tracer: ChainTracer(registry: registry, kind: kind, hook: hook), input: input)
            // An unknown hook, or input that breaks the hook's input schema: nothing to step through.
            if let error = stepper.tracer.planError ?? stepper.result.error { throw ConsoleError(error) }
            await console.beginStepping(stepper)
            return Output(event: .started, stepper: stepper, stages: [])
        })

    /// A step verb, typed while stepping.
    static func verb(_ name: String, _ args: CommandArguments, console: ConsoleState) async throws(ConsoleError) -> any CommandOutput {
        guard let stepper = await console.stepper else {
            throw ConsoleError("not stepping; start with `step KIND.HOOK JSON`")
        }
        var stages: [StageTrace] = []
        let event: Output.Event
        switch name {
        case "next", "n":
            if let stage = await stepper.next() { stages.append(stage) }
            event = .ran
        case "continue", "c":
            while let stage = await stepper.next() { stages.append(stage) }
            event = .ran
        case "skip", "s":
            if let stage = stepper.skip() { stages.append(stage) }
            event = .skipped
        case "set":
            stepper.set(try args.json(usage: "set JSON")!)
            event = .set
        default:
            stepper.abort()
            event = .aborted
        }
        if stepper.upcoming == nil { stepper.abort() }
        if stepper.isFinished { await console.endStepping(stepper) }
        return Output(event: event, stepper: stepper, stages: stages)
    }

    struct Output: CommandOutput {
        enum Event: String { case started, ran, skipped, set, aborted }
        var event: Event
        var stages: [StageTrace]
        var finished: Bool
        var result: TraceResult
        var value: JSONValue
        var upcoming: (name: String, priority: Int, position: Int, total: Int)?
        /// Each stage's place in the chain (1-based), which is its number however the walk went.
        var positions: [String: Int]

        init(event: Event, stepper: ChainStepper, stages: [StageTrace]) {
            self.event = event
            self.stages = stages
            finished = stepper.isFinished
            result = stepper.result
            value = stepper.currentValue
            upcoming = stepper.upcoming.map { ($0.record.name, $0.record.priority, $0.position, $0.total) }
            positions = Dictionary(stepper.tracer.stages.enumerated().map { ($1.record.name, $0 + 1) }, uniquingKeysWith: { a, _ in a })
        }

        var succeeded: Bool { result.error == nil }

        var json: JSONObject {
            var o: JSONObject = [
                "event": .string(event.rawValue), "kind": .string(result.kind), "hook": .string(result.hook),
                "stages": .array(stages.map(TraceJSON.stage)), "value": value, "finished": .bool(finished),
            ]
            o["next"] = upcoming.map { ["plugin": .string($0.name), "priority": .int($0.priority), "position": .int($0.position), "of": .int($0.total)] } ?? .null
            if finished { o["trace"] = .object(TraceJSON.object(result)) }
            return o
        }

        func text(_ style: TextStyle) -> String {
            var lines: [String] = []
            switch event {
            case .started: lines.append(style.bold("stepping \(result.kind).\(result.hook)") + "  " + style.dim("input ") + ValueText.short(value))
            case .set: lines.append("the next stage gets " + ValueText.short(value))
            case .aborted: lines.append(style.yellow("aborted"))
            default: break
            }
            for stage in stages {
                lines += TraceText.stage(stage, number: positions[stage.plugin] ?? 0, nameWidth: 18, style)
            }
            if finished {
                if let error = result.error { lines.append(style.red("chain failed") + (error.plugin.map { " at \($0)" } ?? ": \(error.message)")) }
                else {
                    var tail = style.dim("output ") + ValueText.short(result.output ?? .null)
                    if let stopper = result.stoppedBy { tail += style.yellow("  (stopped by \(stopper))") }
                    lines.append(tail)
                }
            } else if let next = upcoming {
                lines.append(style.dim("next: \(next.position)/\(next.total) \(next.name) (\(next.priority)) — next, continue, skip, set JSON, abort"))
            }
            return lines.joined(separator: "\n")
        }
    }
}

extension ConsoleState {
    func beginStepping(_ stepper: ChainStepper) { self.stepper = stepper }

    func endStepping(_ stepper: ChainStepper) {
        if self.stepper === stepper { self.stepper = nil }
        lastTrace = stepper.result
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

    /// What the prompt shows while stepping: `step kind.hook 2/5 plugin`.
    var stepPrompt: String? {
        guard let stepper, let next = stepper.upcoming else { return nil }
        return "step \(stepper.tracer.kind).\(stepper.tracer.hook) \(next.position)/\(next.total) \(next.record.name)"
    }
}
