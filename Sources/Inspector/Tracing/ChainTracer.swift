import OrderedCollections
import PluginSystem

/// How one chain stage went.
public enum StageStatus: String, Sendable {
    case changed, unchanged
    /// The stage returned STOP_CHAIN.
    case stopped
    case error
    /// Switched off by the user.
    case disabled
    /// The stage did not run: the chain ended before it, or the plugin is failed or unavailable.
    case notRun = "not_run"
    /// The user skipped it while stepping.
    case skipped
}

/// A middleware call around a stage (`chain_wrap` before/after), where it ran.
public struct MiddlewareCall: Sendable {
    public var plugin: String
    /// `before` or `after`.
    public var hook: String
    /// Whether it replaced the stage's arguments (before) or result (after).
    public var replaced: Bool
    public var durationMicros: Int
    public var logs: [PluginLog]
    public var error: DagstackError?
}

public struct StageTrace: Sendable {
    public var plugin: String
    public var priority: Int
    public var status: StageStatus
    public var before: JSONValue?
    public var after: JSONValue?
    public var diff: [PatchOperation]
    public var durationMicros: Int?
    public var logs: [PluginLog]
    public var error: DagstackError?
    /// Why a stage did not run when it is not the chain's doing (failed, unavailable).
    public var note: String?
    public var middleware: [MiddlewareCall]
}

/// Everything a trace saw: the input, every stage in dispatch order, and how the chain ended.
public struct TraceResult: Sendable {
    public var kind: String
    public var hook: String
    public var input: JSONValue
    public var output: JSONValue?
    public var stoppedBy: String?
    public var error: DagstackError?
    public var stages: [StageTrace]
}

/// Collects the hook calls made during one stage, so the trace can tell the plugin's own call
/// (its duration and logs) from the middleware that wrapped it.
final class StageCollector: HookObserver {
    private let events = Mutex<[HookEvent]>([])
    func hookDidRun(_ event: HookEvent) { events.withLock { $0.append(event) } }
    func take() -> [HookEvent] { events.withLock { e in defer { e.removeAll() }; return e } }
}

import Synchronization

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

    /// Runs one stage on `value`, watching its calls: the plugin's own (its time and output) and the
    /// middleware around it.
    func run(_ record: PluginRecord, value: JSONValue) async -> StageTrace {
        let collector = StageCollector()
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
        for event in collector.take() {
            let reply = try? event.outcome.get()
            switch event.role {
            case .hook where event.plugin == record.name:
                own = event
            case .middlewareBefore, .middlewareAfter:
                let isBefore = if case .middlewareBefore = event.role { true } else { false }
                middleware.append(MiddlewareCall(
                    plugin: event.plugin, hook: isBefore ? "before" : "after", replaced: reply.map { $0.output != .value(.null) } ?? false,
                    durationMicros: event.duration.microseconds, logs: reply?.logs ?? [], error: event.outcome.failure))
            default:
                break
            }
        }
        var stage = self.stage(record, before: value, result: result, duration: own?.duration)
        // What the plugin itself wrote, not what middleware around it did.
        if let ownLogs = (try? own?.outcome.get())?.logs { stage.logs = ownLogs }
        stage.middleware = middleware
        return stage
    }

    /// Runs the whole chain and records every stage. Consecutive stages of one batching host run in
    /// one exchange (one round trip for a chain of Python plugins); the record is the same.
    public func trace(_ input: JSONValue) async -> TraceResult {
        let stepper = ChainStepper(tracer: self, input: input)
        while await stepper.nextBatch() != nil {}
        return stepper.result
    }

    /// A stage's record from its result: the one place a stage's status, diff and time are worked out.
    func stage(_ record: PluginRecord, before: JSONValue, result: Result<HookReply, DagstackError>, duration: Duration?) -> StageTrace {
        var stage = StageTrace(
            plugin: record.name, priority: record.priority, status: .unchanged, before: before, after: nil, diff: [],
            durationMicros: duration?.microseconds, logs: [], error: nil, note: nil, middleware: [])
        switch result {
        case .success(let reply):
            stage.logs = reply.logs
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
                stage.after = returned
                stage.diff = JSONDiff.diff(before, returned)
            }
        }
        return stage
    }
}

extension Duration {
    /// Whole microseconds, as traces report them.
    var microseconds: Int { Int(components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000) }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
