import PluginSystem
import Synchronization

/// What one dispatch saw, kept so that `why` can explain it afterwards: for a chain its trace;
/// for the other classes who answered, who raised, who was not called, and for capability routing
/// every `matches()` asked and what it said.
public struct DispatchRecord: Sendable {
    public var kind: String
    public var hook: String
    public var dispatchClass: DispatchClass
    public var arguments: HookArguments
    /// A chain's trace (from `trace`, `step`, or a chain `call`).
    public var trace: TraceResult?
    /// Plugins whose hook answered, in the order they did.
    public var answered: [String] = []
    /// Plugins whose hook raised.
    public var raised: [String: DagstackError] = [:]
    /// Plugins a fail_fast collect did not call after a failure.
    public var notCalled: [String] = []
    /// Capability routing: each `matches()` asked, in order, and its verdict (truthy, or what it raised).
    public var probes: [Probe] = []
    /// Capability routing: the plugin chosen and how.
    public var chosen: String?
    public var matchedBy: CapabilityMatch?
    /// The dispatch itself failed (no match, a tie, no plugin).
    public var error: DagstackError?

    public struct Probe: Sendable {
        public var plugin: String
        public var matched: Bool
        public var error: DagstackError?
    }

    public init(kind: String, hook: String, dispatchClass: DispatchClass, arguments: HookArguments) {
        self.kind = kind
        self.hook = hook
        self.dispatchClass = dispatchClass
        self.arguments = arguments
    }

    public init(trace: TraceResult) {
        self.init(kind: trace.kind, hook: trace.hook, dispatchClass: .chain, arguments: HookArguments([trace.input]))
        self.trace = trace
    }
}

/// Watches the calls of one dispatch (not a chain's: its trace says more): which plugins
/// answered or raised and what each `matches()` said; and tells a progress display what runs.
public final class DispatchWatcher: HookObserver {
    private let seen = Mutex<[HookEvent]>([])
    private let progress: (any TraceProgress)?
    private let kind: String
    private let hook: String

    public init(kind: String, hook: String, progress: (any TraceProgress)?) {
        self.kind = kind
        self.hook = hook
        self.progress = progress
    }

    public func hookWillRun(plugin: String, kind: String, hook: String, role: HookRole) {
        guard let progress else { return }
        var around: String?
        if case .middlewareBefore(let w) = role { around = w }
        if case .middlewareAfter(let w) = role { around = w }
        if case .nested(let caller) = role { around = caller }
        progress.started(TraceActivity(kind: self.kind, hook: self.hook, plugin: plugin, call: hook, position: 0, total: 0, around: around))
    }

    public func hookDidRun(_ event: HookEvent) {
        seen.withLock { $0.append(event) }
        progress?.ended()
    }

    /// Fills in `record` from what was seen.
    public func fill(_ record: inout DispatchRecord) {
        for event in seen.withLock({ $0 }) where event.kind == record.kind {
            switch event.role {
            case .matches:
                switch event.outcome {
                case .success(let reply): record.probes.append(.init(plugin: event.plugin, matched: reply.output.value?.isTruthy == true))
                case .failure(let error): record.probes.append(.init(plugin: event.plugin, matched: false, error: error))
                }
            case .hook where event.hook == record.hook:
                switch event.outcome {
                case .success: record.answered.append(event.plugin)
                case .failure(let error): record.raised[event.plugin] = error
                }
            default:
                break
            }
        }
    }
}
