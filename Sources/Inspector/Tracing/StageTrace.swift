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
    /// What it changed of the chain's value (a `before` that replaced the value the plugin gets, an
    /// `after` that replaced what the plugin returned); empty when it changed nothing.
    public var diff: [PatchOperation] = []
    /// How long a debugger in its code waited at its prompt (not counted in `durationMicros`).
    public var debuggerMicros: Int? = nil

    public init(
        plugin: String, hook: String, replaced: Bool, durationMicros: Int, logs: [PluginLog], error: DagstackError?,
        diff: [PatchOperation] = []
    ) {
        self.plugin = plugin
        self.hook = hook
        self.replaced = replaced
        self.durationMicros = durationMicros
        self.logs = logs
        self.error = error
        self.diff = diff
    }
}

public struct StageTrace: Sendable {
    public var plugin: String
    public var priority: Int
    public var status: StageStatus
    public var before: JSONValue?
    public var after: JSONValue?
    /// The whole stage's change, middleware included.
    public var diff: [PatchOperation]
    /// The plugin's own time: a debugger's wait at its prompt is not part of it.
    public var durationMicros: Int?
    public var logs: [PluginLog]
    public var error: DagstackError?
    /// Why a stage did not run when it is not the chain's doing (failed, unavailable).
    public var note: String?
    public var middleware: [MiddlewareCall]
    /// What the plugin itself changed, when middleware around it changed the value too (then
    /// `diff` is not all the plugin's doing); nil when `diff` is the plugin's alone.
    public var pluginDiff: [PatchOperation]? = nil
    /// How long a debugger in the plugin's code (pdb) waited at its prompt during the stage.
    public var debuggerMicros: Int? = nil
    /// The hook returned nothing (None, undefined): `after` is the null the wire carried.
    public var returnedNothing: ReturnedNothing? = nil

    public init(
        plugin: String, priority: Int, status: StageStatus, before: JSONValue?, after: JSONValue?, diff: [PatchOperation],
        durationMicros: Int?, logs: [PluginLog], error: DagstackError?, note: String?, middleware: [MiddlewareCall],
        pluginDiff: [PatchOperation]? = nil
    ) {
        self.plugin = plugin
        self.priority = priority
        self.status = status
        self.before = before
        self.after = after
        self.diff = diff
        self.durationMicros = durationMicros
        self.logs = logs
        self.error = error
        self.note = note
        self.middleware = middleware
        self.pluginDiff = pluginDiff
    }

    /// Whether the stage's code ran (as opposed to being skipped, switched off or never reached).
    public var ran: Bool { [.changed, .unchanged, .stopped, .error].contains(status) }

    /// What the stage changed, attributed: each middleware call that changed the value and the
    /// plugin itself, in the order they ran. Without middleware changes, the plugin alone.
    public var changes: [(by: String, diff: [PatchOperation])] {
        guard let pluginDiff else { return diff.isEmpty ? [] : [(plugin, diff)] }
        var parts: [(by: String, diff: [PatchOperation])] = []
        for m in middleware where m.hook == "before" && !m.diff.isEmpty { parts.append(("\(m.plugin).before", m.diff)) }
        if !pluginDiff.isEmpty { parts.append((plugin, pluginDiff)) }
        for m in middleware where m.hook == "after" && !m.diff.isEmpty { parts.append(("\(m.plugin).after", m.diff)) }
        return parts
    }
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
    /// A walk ended with `abort`: `output` is then the value it had reached, which no chain returned.
    public var aborted: Bool

    public init(
        kind: String, hook: String, input: JSONValue, output: JSONValue?, stoppedBy: String?, error: DagstackError?, stages: [StageTrace],
        aborted: Bool = false
    ) {
        self.kind = kind
        self.hook = hook
        self.input = input
        self.output = output
        self.stoppedBy = stoppedBy
        self.error = error
        self.stages = stages
        self.aborted = aborted
    }
}
