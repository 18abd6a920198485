import OrderedCollections
import PluginSystem
import Synchronization

/// Collects the hook calls made during one stage, so the trace can tell the plugin's own call
/// (its duration and logs) from the middleware that wrapped it, and tells a progress display
/// which call is running.
final class StageCollector: HookObserver {
    private let events = Mutex<[HookEvent]>([])
    private let progress: (any TraceProgress)?
    private let activity: TraceActivity

    init(progress: (any TraceProgress)?, activity: TraceActivity) {
        self.progress = progress
        self.activity = activity
    }

    func hookWillRun(plugin: String, kind: String, hook: String, role: HookRole) {
        guard let progress else { return }
        var now = activity
        now.plugin = plugin
        now.call = hook
        switch role {
        case .middlewareBefore(let wrapped), .middlewareAfter(let wrapped): now.around = wrapped
        case .nested(let caller): now.around = caller
        default: break
        }
        progress.started(now)
    }

    func hookDidRun(_ event: HookEvent) {
        events.withLock { $0.append(event) }
        progress?.ended()
    }

    func take() -> [HookEvent] { events.withLock { e in defer { e.removeAll() }; return e } }
}

/// Runs a chain stage by stage and records what each stage did. `trace` runs it through;
/// `ChainStepper` runs it one stage at a time. Neither changes what the chain returns: each stage
/// runs through the same `ChainDispatcher.run` the dispatcher itself uses.
public final class ChainTracer: Sendable {
    public let registry: PluginRegistry
    public let kind: String
    public let hook: String
    let named: JSONObject
    let metadata: JSONObject
    /// Every plugin of the kind with the hook, in dispatch order, and whether it will run.
    public let stages: [(record: PluginRecord, runnable: Bool)]
    let plan: DispatchPlan?
    public let planError: DagstackError?

    public init(registry: PluginRegistry, kind: String, hook: String, named: JSONObject = [:], metadata: JSONObject = [:]) {
        self.registry = registry
        self.kind = kind
        self.hook = hook
        self.named = named
        self.metadata = metadata
        do {
            let plan = try ChainDispatcher(registry).plan(kind, hook)
            self.plan = plan
            planError = nil
            let runnable = Set(plan.candidates.map(\.name))
            stages = registry.ordered(kind: kind)
                .filter { !$0.manifest.isMiddleware && (runnable.contains($0.name) || $0.instance == nil || $0.implements(hook)) }
                .map { ($0, runnable.contains($0.name)) }
        } catch {
            plan = nil
            planError = error
            stages = []
        }
    }

    /// The same chain traced against another registry (after a reload).
    public func rebound(to registry: PluginRegistry) -> ChainTracer {
        ChainTracer(registry: registry, kind: kind, hook: hook, named: named, metadata: metadata)
    }

    /// A stage's place in the chain (0-based), by plugin name.
    public func position(of plugin: String) -> Int? { stages.firstIndex { $0.record.name == plugin } }

    /// The input checked against the hook's input schema: what ends the chain before stage 1.
    func inputViolation(_ input: JSONValue) -> DagstackError? {
        plan.flatMap { ChainDispatcher(registry).inputViolation($0, input) }
    }

    /// The stage entry for a plugin that will not run, with the reason.
    func idle(_ record: PluginRecord, before: JSONValue?) -> StageTrace {
        let (status, note): (StageStatus, String?) = switch record.state {
        case .disabled: (.disabled, nil)
        case .active: (.notRun, nil)
        default: (.notRun, "\(record.state.name)\(record.state.reason.map { ": \($0)" } ?? "")")
        }
        return StageTrace(
            plugin: record.name, priority: record.priority, status: status, before: nil, after: nil, diff: [],
            durationMicros: nil, logs: [], error: nil, note: note, middleware: [])
    }

    /// What a progress display shows for the stage at `position`.
    func activity(_ position: Int) -> TraceActivity {
        TraceActivity(kind: kind, hook: hook, plugin: stages[position].record.name, call: hook, position: position + 1, total: stages.count)
    }

    /// Runs the stage at `position` on `value`, watching its calls: the plugin's own (its time and
    /// output) and the middleware around it, with what each of them changed.
    func run(_ position: Int, value: JSONValue, progress: (any TraceProgress)?) async -> StageTrace {
        let record = stages[position].record
        let collector = StageCollector(progress: progress, activity: activity(position))
        let token = registry.addObserver(collector)
        let result: Result<HookReply, DagstackError>
        do {
            result = .success(try await ChainDispatcher(registry).run(record, in: plan!, value: value, named: named, metadata: metadata))
        } catch {
            result = .failure(error)
        }
        registry.removeObserver(token)
        var own: HookEvent?
        var middleware: [MiddlewareCall] = []
        // The value as it passes through the calls: middleware `before` may replace what the
        // plugin gets, middleware `after` what it returned.
        var current = value
        var pluginInput: JSONValue?
        var pluginOutput: JSONValue?
        for event in collector.take() {
            let reply = try? event.outcome.get()
            switch event.role {
            case .hook where event.plugin == record.name:
                own = event
                pluginInput = event.arguments.positional.first ?? .null
                if case .value(let out)? = reply?.output { pluginOutput = out; current = out }
            case .middlewareBefore, .middlewareAfter:
                let isBefore = if case .middlewareBefore = event.role { true } else { false }
                let replacement = reply.map(\.output.wire).flatMap { $0 == .null ? nil : $0 }
                var change: [PatchOperation] = []
                if let replacement {
                    let next = isBefore ? (HookArguments(json: replacement)?.positional.first ?? .null) : replacement
                    if case .value = HookOutput(wire: next) {
                        change = JSONDiff.diff(current, next)
                        current = next
                    }
                }
                let wait = event.outcome.debuggerWait
                var call = MiddlewareCall(
                    plugin: event.plugin, hook: isBefore ? "before" : "after", replaced: replacement != nil,
                    durationMicros: max(.zero, event.duration - (wait ?? .zero)).microseconds, logs: reply?.logs ?? [],
                    error: event.outcome.failure, diff: change)
                call.debuggerMicros = wait?.microseconds
                middleware.append(call)
            default:
                break
            }
        }
        var stage = self.stage(stages[position].record, before: value, result: result, duration: own?.duration)
        // What the plugin itself wrote, not what middleware around it did.
        if let ownLogs = (try? own?.outcome.get())?.logs { stage.logs = ownLogs }
        stage.middleware = middleware
        if middleware.contains(where: { !$0.diff.isEmpty }), let pluginInput {
            stage.pluginDiff = pluginOutput.map { JSONDiff.diff(pluginInput, $0) } ?? []
        }
        return stage
    }

    /// Runs the whole chain and records every stage. Consecutive stages of one batching host run in
    /// one exchange (one round trip for a chain of Python plugins); the record is the same.
    public func trace(_ input: JSONValue, progress: (any TraceProgress)? = nil) async -> TraceResult {
        let stepper = ChainStepper(tracer: self, input: input, progress: progress)
        while await stepper.nextBatch() != nil {}
        return stepper.result
    }

    /// A stage's record from its result: the one place a stage's status, diff and time are worked out.
    func stage(_ record: PluginRecord, before: JSONValue, result: Result<HookReply, DagstackError>, duration: Duration?) -> StageTrace {
        let wait = result.debuggerWait
        var stage = StageTrace(
            plugin: record.name, priority: record.priority, status: .unchanged, before: before, after: nil, diff: [],
            durationMicros: duration.map { max(.zero, $0 - (wait ?? .zero)).microseconds }, logs: [], error: nil, note: nil,
            middleware: [])
        stage.debuggerMicros = wait?.microseconds
        switch result {
        case .success(let reply):
            stage.logs = reply.logs
            stage.returnedNothing = reply.returnedNothing
            switch reply.output {
            case .stopChain: stage.status = .stopped
            case .value(let after):
                stage.after = after
                stage.diff = JSONDiff.diff(before, after)
                // Objects are unordered in JSON: a stage that only reorders keys did not change the value.
                stage.status = stage.diff.isEmpty ? .unchanged : .changed
            }
        case .failure(let error):
            stage.status = .error
            stage.error = error
            stage.logs = error.logs
            // A value that failed the output check is still what the stage did.
            if let returned = error.returned {
                stage.returnedNothing = error.returnedNothing
                stage.after = returned
                stage.diff = JSONDiff.diff(before, returned)
            }
        }
        return stage
    }
}

extension Duration {
    /// Whole microseconds, as traces report them.
    public var microseconds: Int { Int(components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000) }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension Result<HookReply, DagstackError> {
    /// How long a debugger in the plugin's code waited at its prompt during the call, if it stopped.
    var debuggerWait: Duration? {
        switch self {
        case .success(let reply): reply.debuggerWait
        case .failure(let error): error.debuggerWait
        }
    }
}
