import OrderedCollections
/// The arguments of one hook call: positional values and named ones, as a Python call
/// `hook(ctx, *positional, **named)` receives them.
public struct HookArguments: Sendable, Equatable {
    public var positional: [JSONValue]
    public var named: JSONObject

    public init(_ positional: [JSONValue] = [], named: JSONObject = [:]) {
        self.positional = positional
        self.named = named
    }

    /// The form middleware `before` hooks receive and may return: `{"args": [...], "kwargs": {...}}`.
    public var json: JSONValue { ["args": .array(positional), "kwargs": .object(named)] }

    public init?(json: JSONValue) {
        guard case .object(let o) = json else { return nil }
        let args = o["args"]?.arrayValue ?? []
        let kwargs = o["kwargs"]?.objectValue ?? [:]
        guard o["args"] != nil || o["kwargs"] != nil else { return nil }
        self.init(args, named: kwargs)
    }
}

/// What a hook returned: a value, or the chain's STOP_CHAIN sentinel.
public enum HookOutput: Sendable, Equatable {
    case value(JSONValue)
    case stopChain

    /// How STOP_CHAIN travels where only JSON can: `{"__dagstack__": "STOP_CHAIN"}`.
    public static let stopChainMarker: JSONValue = ["__dagstack__": "STOP_CHAIN"]

    public init(wire: JSONValue) {
        self = wire == Self.stopChainMarker ? .stopChain : .value(wire)
    }

    public var wire: JSONValue {
        switch self {
        case .value(let v): v
        case .stopChain: Self.stopChainMarker
        }
    }

    public var value: JSONValue? {
        if case .value(let v) = self { return v }
        return nil
    }
}

/// A line a plugin printed or logged during a call, handed back with the result so the console can
/// show it beside the stage that produced it.
public struct PluginLog: Sendable, Equatable {
    /// `stdout`, `stderr` or `log`.
    public var stream: String
    /// The logging level for `log` lines (`INFO`, `WARNING`…), nil for printed text.
    public var level: String?
    public var text: String

    public init(stream: String, level: String? = nil, text: String) {
        self.stream = stream
        self.level = level
        self.text = text
    }
}

public struct HookReply: Sendable, Equatable {
    public var output: HookOutput
    public var logs: [PluginLog]
    /// How long a debugger in the plugin's code (pdb) waited at its prompt during the call: part of
    /// the call's time that was the user's, not the plugin's.
    public var debuggerWait: Duration?
    /// The hook returned nothing (None, undefined), which `output` carries as null.
    public var returnedNothing: ReturnedNothing?

    public init(_ output: HookOutput, logs: [PluginLog] = [], debuggerWait: Duration? = nil, returnedNothing: ReturnedNothing? = nil) {
        self.output = output
        self.logs = logs
        self.debuggerWait = debuggerWait
        self.returnedNothing = returnedNothing
    }
}

/// A hook body that runs to completion without suspending.
public typealias SynchronousHook = @Sendable (HookArguments, HookContext) throws -> HookOutput

/// A chain hook that changes the value it is handed instead of returning a new one. Dispatch owns
/// the value between stages, so a stage that sets one field of a large value copies nothing (see
/// `JSONValue.modifyObject`). It takes no keyword arguments. A stage that returns `.stopChain` must
/// leave the value unchanged: STOP_CHAIN's result is the value from before the stage.
public typealias ChainStage = @Sendable (inout JSONValue, HookContext) throws -> ChainStep

/// What an in-place chain stage tells the dispatcher: go on to the next stage, or STOP_CHAIN.
public enum ChainStep: Sendable, Equatable {
    case next
    case stopChain
}

/// A plugin instance as the runtime sees it, whatever runs the code: a Swift type in this process,
/// a Python interpreter, or a child process over stdio. Hosts adapt their plugins to this.
public protocol Plugin: AnyObject, Sendable {
    /// Whether the plugin has `hook`; dispatchers skip plugins that do not.
    func implements(_ hook: String) -> Bool
    /// The hooks the plugin has, when it can tell (a stdio plugin that did not list them cannot).
    var hookNames: [String]? { get }
    func setup(_ context: PluginContext) async throws
    func teardown() async throws
    /// Calls one hook. Errors thrown here are reported with the plugin's name.
    func call(_ hook: String, _ arguments: HookArguments, context: HookContext) async throws -> HookReply
    /// A synchronous body for `hook`, when the plugin has one. Dispatch calls it directly, without
    /// the cost of asynchronous calls, when nothing needs to see the call (no middleware, no observer).
    func synchronousHook(_ hook: String) -> SynchronousHook?
    /// An in-place body for chain hook `hook`, when the plugin has one: chain dispatch that does
    /// not keep every stage's answer runs it on the value it owns.
    func chainStage(_ hook: String) -> ChainStage?
    /// True when the plugin's host enforces set-up and teardown limits itself (and stops the plugin
    /// when they pass): the registry then waits for its answer instead of racing it with a timer.
    var enforcesTimeLimits: Bool { get }
    /// Stops the plugin's work by force after a time-out or a cancellation (a process host kills its
    /// child here). It must return promptly.
    func terminate() async
    /// What the plugin wrote outside its calls' answers (set-up, between calls, teardown), in order.
    var phaseOutput: [PhaseOutput] { get }
}

extension Plugin {
    public var hookNames: [String]? { nil }
    public func synchronousHook(_ hook: String) -> SynchronousHook? { nil }
    public func chainStage(_ hook: String) -> ChainStage? { nil }
    public var enforcesTimeLimits: Bool { false }
    public func setup(_ context: PluginContext) async throws {}
    public func teardown() async throws {}
    public func terminate() async {}
    public var phaseOutput: [PhaseOutput] { [] }
}
