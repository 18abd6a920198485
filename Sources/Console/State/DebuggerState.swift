import Inspector
import PluginSystem

/// What the console keeps for debugging between commands: the breakpoints, the last walk that
/// finished (a trace, or a step session that ran to its end), and the last dispatch of each hook.
struct DebuggerState: Sendable {
    var breakpoints: [Breakpoint] = []
    var nextBreakpoint = 1
    /// `back`, `goto`, `history` and `blame` reach the last finished walk when none is in progress.
    var lastWalk: ChainStepper?
    /// The last dispatch of each `kind.hook`, for `why`, and their keys from the oldest to the latest.
    var dispatches: [String: DispatchRecord] = [:]
    var dispatchOrder: [String] = []
    /// What the last load did to the walk in progress, for its summary.
    var walkNote: String?
    /// How the walk in progress shows its stages (the options of the trace that started it).
    var walkView = TraceText.View()
    /// In a replay's own session: the breakpoints of the console the replay runs for, while a
    /// replayed command that may stop for them runs (those with the spec of one of this session's
    /// own are left out: the recording stops there anyway).
    var guests: [Breakpoint] = []

    /// As session entries record them (`state.breakpoints`), so a replay stops where the recording did.
    var breakpointsJSON: JSONValue {
        .array(breakpoints.map { ["id": .int($0.id), "spec": .string($0.spec), "hits": .int($0.hits)] })
    }

    mutating func record(_ dispatch: DispatchRecord) {
        let key = "\(dispatch.kind).\(dispatch.hook)"
        dispatches[key] = dispatch
        dispatchOrder.removeAll { $0 == key }
        dispatchOrder.append(key)
    }

    /// The breakpoints a recorded entry ran with (none when the entry has no such key).
    mutating func restoreBreakpoints(from state: JSONValue) {
        breakpoints = (state["breakpoints"]?.arrayValue ?? []).compactMap { entry in
            guard let id = entry["id"]?.intValue, let spec = entry["spec"]?.stringValue,
                var breakpoint = try? Breakpoint.parse(id: id, spec)
            else { return nil }
            breakpoint.hits = entry["hits"]?.intValue ?? 0
            return breakpoint
        }
        nextBreakpoint = (breakpoints.map(\.id).max() ?? 0) + 1
    }

    /// The breakpoints that can stop a walk of `kind`: plugin breakpoints on its plugins, and every
    /// `change` and `error` breakpoint — this session's own first, then its guests.
    func applying(to tracer: ChainTracer, guests includingGuests: Bool = true) -> [Breakpoint] {
        let plugins = Set(tracer.stages.map(\.record.name))
        return (includingGuests ? breakpoints + guests : breakpoints).filter {
            if case .plugin(let name, _) = $0.trigger { return plugins.contains(name) }
            return true
        }
    }
}
