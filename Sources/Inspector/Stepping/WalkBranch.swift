import PluginSystem

/// One stage as a walk went through it: where it is in the chain, the value it was given, and
/// what it did. A stage that was retried keeps its failed attempts.
public struct WalkStep: Sendable {
    /// The stage's plugin (its place in the chain can change with a reload; its name does not).
    public var plugin: String
    /// The value that reached the stage (after any `set` before it).
    public var input: JSONValue
    public var stage: StageTrace
    /// Earlier runs of this stage that raised, oldest first (`retry`).
    public var failedAttempts: [StageTrace] = []
    /// The value the user put in place of `replaced` just before this stage (`set`).
    public var edit: (replaced: JSONValue, by: JSONValue)? = nil

    /// The value the stage hands on: its result, or its input when it did not change it (skipped,
    /// switched off) or stopped the chain (STOP_CHAIN's result is the value from before the stage).
    public var output: JSONValue {
        switch stage.status {
        case .changed, .unchanged: stage.after ?? input
        default: input
        }
    }

    /// Whether the user acted on this stage (ran, skipped or retried it): what `back` counts.
    var isActionable: Bool { stage.ran || stage.status == .skipped }
}

/// How a branch of a walk ended.
public struct WalkEnd: Sendable {
    public var output: JSONValue?
    public var stoppedBy: String?
    public var error: DagstackError?
    /// Ended with `abort` rather than by running to the end.
    public var aborted: Bool
}

/// One line of a walk's history, as Redux DevTools keeps its log: the stages a run went through.
/// Going back and running forward again starts a new branch; the old one stays as it was.
public struct WalkBranch: Sendable {
    public let id: Int
    /// The branch this one left, and how many of its stages it shares.
    public let parent: Int?
    public let forkedAt: Int
    /// How it started: `start`, `set before 3 blacklist`, `next after back`, `retry after reload`…
    public var origin: String
    public var steps: [WalkStep]
    /// Nil while the branch is open.
    public var end: WalkEnd?
    /// The value the next stage gets when the branch is open and its steps are all in effect.
    var pending: JSONValue
    /// A `set` waiting for the next stage of this branch.
    var pendingEdit: (replaced: JSONValue, by: JSONValue)?

    /// The branch as a trace: its stages and how it ended (or where it stands).
    public func result(kind: String, hook: String, input: JSONValue) -> TraceResult {
        TraceResult(
            kind: kind, hook: hook, input: input, output: end?.output, stoppedBy: end?.stoppedBy, error: end?.error,
            stages: steps.map(\.stage), aborted: end?.aborted ?? false)
    }
}

/// Why a walk stopped where it is.
public enum WalkPause: Sendable {
    /// A breakpoint: before a plugin's stage, or after a stage that changed a watched value.
    case breakpoint(Breakpoint.Hit)
    /// The stage raised: `retry` runs it again, `skip` passes the value on without it.
    case error(plugin: String)
}
