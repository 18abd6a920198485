import PluginSystem

extension RPCFailure {
    /// Whether the failure leaves the peer dead or unusable (everything but an error it reported).
    var stopsPeer: Bool {
        switch self {
        case .remote, .undecodable: return false
        default: return true
        }
    }

    /// The runtime error for a failed exchange with `plugin`'s process. Everything but an error the
    /// plugin's own code reported leaves the process dead or unusable, so those errors say the plugin
    /// was stopped (the registry then marks it failed).
    func error(plugin: String, activity: String, process: ChildProcess, timeout: Double?, limitName: String) -> DagstackError {
        var result: DagstackError
        switch self {
        case .timedOut:
            let limit = timeout.map { "\(Self.seconds($0))s" } ?? "its time limit"
            result = DagstackError(.pluginTimeout, "Plugin '\(plugin)' did not answer \(activity) within \(limit) (\(limitName)); it was stopped", plugin: plugin)
        case .cancelled:
            result = DagstackError(.cancelled, "Plugin '\(plugin)' was interrupted during \(activity); it was stopped", plugin: plugin)
        case .closed:
            process.stderr.waitForClose(seconds: 0.5)
            process.waitForExit(seconds: 1)
            let how = process.exitDescription ?? "closed its output"
            result = DagstackError(.pluginCrashed, "Plugin '\(plugin)' process \(how) during \(activity)\(Self.stderrSuffix(process))", plugin: plugin)
        case .tooLarge:
            result = DagstackError(.pluginCrashed, "Plugin '\(plugin)' sent a message over \(ChildProcess.maxLine / 1024 / 1024) MiB during \(activity); it was stopped", plugin: plugin)
        case .undecodable(let problem):
            return DagstackError(
                .serializationError,
                "Plugin '\(plugin)' answered \(activity) with JSON the console does not carry: \(problem.limitDescription) (the answer was discarded; the plugin keeps running)",
                plugin: plugin)
        case .remote(_, let message, let data):
            let type = data?["type"]?.stringValue
            // An exception without a message is named by its type alone (`KeyError`, not `KeyError: KeyError`).
            let headline = type.map { $0 == message ? $0 : "\($0): \(message)" } ?? message
            return DagstackError(
                .pluginError, "Plugin '\(plugin)' failed in \(activity): \(headline)",
                plugin: plugin, exceptionType: type, traceback: data?["traceback"]?.stringValue)
        }
        result.pluginStopped = true
        return result
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    static func stderrSuffix(_ process: ChildProcess) -> String {
        let tail = process.stderr.tail.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !tail.isEmpty else { return "" }
        let lines = tail.split(separator: "\n").suffix(20).joined(separator: "\n")
        return "\nstderr (last lines):\n\(lines)"
    }
}
