/// Every failure the runtime reports. The codes carry the reference's error names so that a
/// message reads the same as in the Python documentation; the fields say which plugin, file or
/// field is at fault so a console can show it without parsing the message.
public struct DagstackError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case manifestInvalid = "ManifestInvalid"
        case versionIncompatible = "VersionIncompatible"
        case kindUnknown = "KindUnknown"
        case ambiguousPlugin = "AmbiguousPlugin"
        case runtimeNotSupported = "RuntimeNotSupported"
        case pluginLoadError = "PluginLoadError"
        case dependencyCycle = "DependencyCycle"
        case teardownErrors = "TeardownErrors"
        case broadcastErrors = "BroadcastErrors"
        case dispatchMismatch = "DispatchMismatch"
        case noCapabilityMatch = "NoCapabilityMatch"
        /// Code inside a plugin raised (Python exception, Swift error, JSON-RPC error object).
        case pluginError = "PluginError"
        /// A plugin did not answer within its time limit and was stopped.
        case pluginTimeout = "PluginTimeout"
        /// A plugin's process exited, crashed or broke the protocol.
        case pluginCrashed = "PluginCrashed"
        /// A required resource was not registered by the host.
        case resourceMissing = "ResourceMissing"
        /// A resource name registered twice.
        case resourceConflict = "ResourceConflict"
        case serializationError = "SerializationError"
        case leakDetected = "LeakDetected"
        case determinismError = "DeterminismError"
        case ambientStateViolation = "AmbientStateViolation"
        /// The user interrupted the call (Ctrl-C in the console).
        case cancelled = "Cancelled"
        /// The user ended the call from a debugger in the plugin's code (`q` in pdb); the plugin
        /// stays active.
        case stoppedInDebugger = "StoppedInDebugger"
        /// The application config could not be loaded (config-python's ConfigError: a file that
        /// cannot be read or parsed, an unset `${VAR}`).
        case configError = "ConfigError"
    }

    public var code: Code
    public var message: String
    /// The plugin at fault, when there is one.
    public var plugin: String?
    /// For errors raised by plugin code: the exception's type name (`ValueError`, a Swift type name…).
    public var exceptionType: String?
    /// For errors raised by plugin code: the traceback the plugin's runtime gave, if any.
    public var traceback: String?
    /// Aggregated errors (TeardownErrors, BroadcastErrors).
    public var errors: [DagstackError]
    /// The host stopped the plugin because of this error (it hung, crashed or was interrupted):
    /// the registry marks it failed so nothing dispatches to a dead plugin.
    public var pluginStopped = false
    /// What the plugin printed or logged before it failed.
    public var logs: [PluginLog] = []
    /// For a value that failed the hook's output schema: the value the plugin returned, so a trace
    /// can still show it and its diff.
    public var returned: JSONValue?
    /// For such a value, when the hook returned nothing (None, undefined): said in the stage's record
    /// as for a stage that succeeded.
    public var returnedNothing: ReturnedNothing?
    /// How long a debugger in the plugin's code waited at its prompt before the call failed.
    public var debuggerWait: Duration?
    /// For a config that does not fit the plugin's schema: the fields at fault, as key paths in its
    /// section. Set-up replaces them with where each value came from, in the message.
    public var configFields: [[String]]?

    public init(
        _ code: Code, _ message: String, plugin: String? = nil, exceptionType: String? = nil,
        traceback: String? = nil, errors: [DagstackError] = []
    ) {
        self.code = code
        self.message = message
        self.plugin = plugin
        self.exceptionType = exceptionType
        self.traceback = traceback
        self.errors = errors
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// Wraps anything a plugin's code threw so it names the plugin; a `DagstackError` that already
    /// names a plugin is kept as it is.
    public static func from(_ error: any Error, plugin: String, during activity: String) -> DagstackError {
        if var known = error as? DagstackError {
            if known.plugin == nil { known.plugin = plugin }
            return known
        }
        if error is CancellationError {
            return DagstackError(.cancelled, "Plugin '\(plugin)' was cancelled in \(activity)", plugin: plugin)
        }
        let type = String(describing: Swift.type(of: error))
        return DagstackError(
            .pluginError, "Plugin '\(plugin)' failed in \(activity): \(type): \(error)",
            plugin: plugin, exceptionType: type)
    }
}
