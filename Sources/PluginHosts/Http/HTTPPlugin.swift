import Foundation
import PluginSystem
import Synchronization

/// A plugin running as an HTTP service (`runtime = "mcp_http"`), spoken to as the Python reference's
/// `MCPHttpAdapter` does (docs/runtime.md, "mcp_http"): `initialize` at set-up, each hook call a POST
/// of JSON-RPC with the bare hook name, `shutdown` at teardown. The service's own process is not the
/// console's: nothing is started or stopped here but the connection.
public final class HTTPPlugin: Plugin {
    public let manifest: PluginManifest
    let client: HTTPRPCClient
    /// Hooks the kind's spec declares, assumed when `initialize`'s result lists none.
    let specHooks: Set<String>?

    private struct State {
        var started = false
        var hooks: Set<String>?
        var serverInfo: JSONValue?
    }

    private let state = Mutex(State())
    private let output = PhaseOutputLog()

    init(manifest: PluginManifest, endpoint: HTTPEndpoint, specHooks: Set<String>?) {
        self.manifest = manifest
        client = HTTPRPCClient(endpoint: endpoint)
        self.specHooks = specHooks
    }

    public var phaseOutput: [PhaseOutput] { output.all }

    /// The endpoint as shown (a password in the URL masked).
    public var endpoint: String { client.endpoint.displayURL }

    public var serverInfo: JSONValue? { state.withLock { $0.serverInfo } }

    /// A URL as the console shows it: a password in it masked.
    public static func displayURL(_ url: String) -> String { HTTPEndpoint.display(url) }

    /// Whether a header's value is a secret the console masks (Authorization, cookies, `*-Token`…).
    public static func isSecretHeader(_ name: String) -> Bool { HTTPService.isSecretHeader(name) }

    public func implements(_ hook: String) -> Bool {
        if let declared = state.withLock({ $0.hooks }) { return declared.contains(hook) }
        if manifest.isMiddleware && (hook == "before" || hook == "after") { return true }
        return specHooks?.contains(hook) ?? true
    }

    public var hookNames: [String]? { state.withLock { $0.hooks?.sorted() } }

    /// `initialize` is bounded by `startup_timeout_sec` here, and a hung request cannot outlive it.
    public var enforcesTimeLimits: Bool { true }

    public func setup(_ context: PluginContext) async throws {
        var logs: [PluginLog] = []
        let result: JSONValue
        do {
            result = try await client.request(
                "initialize", params: HookWire.initializeParams(manifest, context), timeout: client.endpoint.startupTimeout, logs: &logs)
        } catch {
            output.add(.setup, logs)
            var failure = DagstackError(
                .pluginLoadError,
                "MCP HTTP initialize handshake failed for \(client.endpoint.displayURL): \(describe(error, activity: "initialize", timeout: client.endpoint.startupTimeout, limitName: "startup_timeout_sec"))",
                plugin: manifest.name)
            failure.logs = logs
            throw failure
        }
        output.add(.setup, logs)
        guard case .object(let object) = result else {
            throw DagstackError(
                .pluginLoadError, "MCP initialize returned non-dict for plugin '\(manifest.name)': \(client.endpoint.redact(result.encoded()))",
                plugin: manifest.name)
        }
        state.withLock { s in
            s.started = true
            s.serverInfo = object["server_info"] ?? object["serverInfo"]
            if let hooks = object["hooks"]?.arrayValue { s.hooks = Set(hooks.compactMap(\.stringValue)) }
        }
    }

    public func call(_ hook: String, _ arguments: HookArguments, context: HookContext) async throws -> HookReply {
        guard state.withLock({ $0.started }) else {
            throw DagstackError(.pluginLoadError, "Plugin '\(manifest.name)' is not started", plugin: manifest.name)
        }
        var logs: [PluginLog] = []
        do {
            let result = try await client.request(
                hook, params: HookWire.callParams(arguments, context), timeout: client.endpoint.callTimeout, logs: &logs)
            return HookReply(HookOutput(wire: result), logs: logs)
        } catch {
            var failure = callError(error, activity: "\(context.kind).\(hook)")
            failure.logs = logs
            throw failure
        }
    }

    public func teardown() async throws {
        guard state.withLock({ s in defer { s.started = false }; return s.started }) else { return }
        // As the reference: a best-effort `shutdown`; its failure is not the user's problem. One
        // attempt, bounded by min(startup_timeout_sec, 5 s): a service that is gone does not hold up
        // the exit by the retries' pauses.
        var logs: [PluginLog] = []
        _ = try? await client.request(
            "shutdown", params: [:], timeout: min(client.endpoint.startupTimeout, 5), retries: false, logs: &logs)
        output.add(.teardown, logs)
        await closeConnection()
    }

    public func terminate() async {
        state.withLock { $0.started = false }
        await closeConnection()
    }

    /// Closing waits for a request still in flight to end (it holds the connection): not on Swift's
    /// cooperative pool.
    private func closeConnection() async {
        await BlockingIO.run { [client] _ in client.connection.close() }
    }

    /// The error of a failed hook call. The service keeps running whatever happened to one call, so
    /// the plugin stays active (a stdio plugin that stops answering is killed and marked failed).
    func callError(_ failure: HTTPRPCClient.Failure, activity: String) -> DagstackError {
        let name = manifest.name
        let limit = client.endpoint.callTimeout
        let limitName = manifest.mcpHttp.timeoutSec == nil ? "--call-timeout" : "timeout_sec"
        switch failure {
        case .remote(let code, let message, let data):
            let type = data?["type"]?.stringValue
            return DagstackError(
                .pluginError, "Plugin '\(name)' failed in \(activity): \(type.map { "\($0): " } ?? "")\(message) (JSON-RPC error \(code))",
                plugin: name, exceptionType: type, traceback: data?["traceback"]?.stringValue.map(client.endpoint.redact))
        case .timedOut:
            return DagstackError(
                .pluginTimeout, "Plugin '\(name)' did not answer \(activity) within \(RPCFailure.seconds(limit))s (\(limitName)); not retried",
                plugin: name)
        case .cancelled:
            return DagstackError(.cancelled, "Plugin '\(name)' was interrupted during \(activity)", plugin: name)
        default:
            return DagstackError(
                .pluginError, "Plugin '\(name)' failed in \(activity): \(describe(failure, activity: activity, timeout: limit, limitName: limitName))",
                plugin: name, exceptionType: failure.exceptionType)
        }
    }

    /// What went wrong, in a sentence naming the endpoint.
    func describe(_ failure: HTTPRPCClient.Failure, activity: String, timeout: Double, limitName: String) -> String {
        let url = client.endpoint.displayURL
        switch failure {
        case .unavailable(let status?, let reason, let attempts):
            return "the service at \(url) answered \(status) \(reason) \(attempts == 1 ? "once" : "\(attempts) times") (retried on 500/502/503/504)"
        case .unavailable(nil, let why, let attempts):
            return "could not connect to \(url) (\(attempts) attempt\(attempts == 1 ? "" : "s")): \(why)"
        case .timedOut: return "no answer within \(RPCFailure.seconds(timeout))s (\(limitName)); not retried"
        case .cancelled: return "interrupted"
        case .tls(let why): return "TLS with \(url) failed: \(why)"
        case .status(let status, let body):
            return "the service at \(url) answered \(status) \(HTTPResponse.reason(status))" + (body.isEmpty ? "" : ": \(body)")
        case .malformed(let why): return "the service at \(url) did not answer with JSON-RPC: \(why)"
        case .remote(let code, let message, _): return "\(message) (JSON-RPC error \(code))"
        }
    }
}

extension HTTPRPCClient.Failure {
    /// The Python exception the reference raises for the same failure.
    var exceptionType: String? {
        switch self {
        case .unavailable(nil, _, _), .tls: "ConnectionError"
        case .malformed: "ValueError"
        case .timedOut: "TimeoutError"
        default: nil
        }
    }
}
