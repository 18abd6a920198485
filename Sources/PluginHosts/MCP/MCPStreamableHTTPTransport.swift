import Foundation
import PluginSystem
import Synchronization

/// An MCP server reached over Streamable HTTP (MCP 2025-03-26 and later): every message a POST to
/// the server's one URL, answered with a JSON body or an event stream (`text/event-stream`) carrying
/// the server's notifications and then the response; the session id the server gives at
/// `initialize` (`Mcp-Session-Id`) goes with every later request, and a DELETE ends the session.
/// The connection is kept alive, TLS and the manifest's headers and token as for mcp_http.
final class MCPStreamableHTTPTransport: MCPTransport {
    let endpoint: HTTPEndpoint
    let connection: HTTPConnection
    let plugin: String

    private struct Session {
        var id: String?
        var protocolVersion: String?
        var nextID = 0
    }

    private let session = Mutex(Session())

    init(endpoint: HTTPEndpoint, plugin: String) {
        self.endpoint = endpoint
        self.plugin = plugin
        connection = HTTPConnection(tls: endpoint.tls)
    }

    var description: String {
        "Streamable HTTP at \(endpoint.displayURL)" + (session.withLock { $0.id }.map { ", session \($0)" } ?? "")
    }

    private func headers() -> [(String, String)] {
        let (id, version) = session.withLock { ($0.id, $0.protocolVersion) }
        var headers = endpoint.headers + [("Accept", "application/json, text/event-stream")]
        if let id { headers.append(("Mcp-Session-Id", id)) }
        if let version { headers.append(("MCP-Protocol-Version", version)) }
        return headers
    }

    func request(_ method: String, params: JSONValue, timeout: Double, activity: String, limitName: String)
        async throws(DagstackError) -> (result: JSONValue, logs: [PluginLog])
    {
        let id = session.withLock { $0.nextID += 1; return $0.nextID }
        let message: JSONValue = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params]
        var logs: [PluginLog] = []
        let outcome = try await send(message, label: "\(method) (id \(id))", timeout: timeout, activity: activity, limitName: limitName, logs: &logs)
        if method == "initialize", let sessionID = outcome.headers["mcp-session-id"] {
            session.withLock { $0.id = sessionID }
        }
        var answer: JSONValue?
        for received in Self.messages(in: outcome) {
            if received["id"] == .int(id), received["method"] == nil {
                answer = received
            } else if received["method"]?.stringValue == "notifications/message" || received["method"]?.stringValue == "log" {
                let params = received["params"] ?? .null
                logs.append(PluginLog(stream: "log", level: params["level"]?.stringValue?.uppercased(),
                                      text: endpoint.redact(params["message"]?.stringValue ?? params["data"]?.stringValue ?? params["data"]?.encoded() ?? "")))
            }
        }
        guard let answer else {
            throw failure(.pluginError, "Plugin '\(plugin)': the MCP server at \(endpoint.displayURL) sent no response to \(activity) (\(outcome.headers["content-type"] ?? "no content type"), \(outcome.body.count) bytes)", logs, type: "ValueError")
        }
        if let error = answer["error"] {
            var failure = DagstackError(
                .pluginError, "Plugin '\(plugin)' failed in \(activity): \(endpoint.redact(error["message"]?.stringValue ?? error.encoded()))",
                plugin: plugin, exceptionType: error["data"]?["type"]?.stringValue)
            failure.logs = logs
            throw failure
        }
        let result = answer["result"] ?? .null
        if method == "initialize", let version = result["protocolVersion"]?.stringValue {
            session.withLock { $0.protocolVersion = version }
        }
        return (result, logs)
    }

    func notify(_ method: String, params: JSONValue?) async throws(DagstackError) {
        var message: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { message["params"] = params }
        var logs: [PluginLog] = []
        _ = try await send(.object(message), label: method, timeout: endpoint.startupTimeout, activity: method, limitName: "startup_timeout_sec", logs: &logs)
    }

    /// One POST; a failure or a status other than 200/202 is the plugin's error.
    private func send(
        _ message: JSONValue, label: String, timeout: Double, activity: String, limitName: String, logs: inout [PluginLog]
    ) async throws(DagstackError) -> HTTPConnection.Outcome {
        let body = message.encodedBytes()
        let (url, headers) = (endpoint.url, headers())
        logs.append(line("→ POST \(endpoint.displayURL) \(label)" + HTTPService.describe(headers) + HTTPService.describe(body)))
        let outcome = await BlockingIO.run { [connection] flag in
            connection.post(url, headers: headers, body: body, timeout: timeout, cancellation: flag)
        }
        switch outcome.failure {
        case .timedOut?:
            logs.append(line("← no answer within \(RPCFailure.seconds(timeout))s"))
            throw failure(.pluginTimeout, "Plugin '\(plugin)' did not answer \(activity) within \(RPCFailure.seconds(timeout))s (\(limitName))", logs)
        case .cancelled?:
            throw failure(.cancelled, "Plugin '\(plugin)' was interrupted during \(activity)", logs)
        case .connect(let why)?, .tls(let why)?, .other(let why)?:
            logs.append(line("← failed: \(why)"))
            throw failure(.pluginError, "Plugin '\(plugin)': could not reach the MCP server at \(endpoint.displayURL) during \(activity): \(why)", logs, type: "ConnectionError")
        case .tooLarge?:
            throw failure(.pluginError, "Plugin '\(plugin)' sent an answer over \(HTTPConnection.maxBody / 1024 / 1024) MiB during \(activity)", logs)
        case nil:
            let kind = outcome.headers["content-type"].map { ", \($0)" } ?? ""
            logs.append(line(
                "← \(outcome.status) \(HTTPResponse.reason(outcome.status)) (\(HTTPRPCClient.milliseconds(outcome.seconds)), \(outcome.newConnection ? "new connection" : "connection reused")\(kind), \(outcome.body.count) bytes)"))
            guard outcome.status == 200 || outcome.status == 202 else {
                let text = endpoint.redact(String(decoding: outcome.body.prefix(500), as: UTF8.self))
                throw failure(.pluginError, "Plugin '\(plugin)': the MCP server at \(endpoint.displayURL) answered \(activity) with \(outcome.status) \(HTTPResponse.reason(outcome.status))" + (text.isEmpty ? "" : ": \(text)"), logs)
            }
            return outcome
        }
    }

    /// The JSON-RPC messages of a response: its JSON body (one message or a batch), or the `data` of
    /// each event of an event stream.
    static func messages(in outcome: HTTPConnection.Outcome) -> [JSONValue] {
        let type = outcome.headers["content-type"]?.lowercased() ?? ""
        var payloads: [String] = []
        if type.hasPrefix("text/event-stream") {
            var data: [String] = []
            let text = String(decoding: outcome.body, as: UTF8.self)
            // "\r\n" is one Character in Swift: split on every line ending explicitly.
            for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
                if line.isEmpty {
                    if !data.isEmpty { payloads.append(data.joined(separator: "\n")) }
                    data = []
                } else if line.hasPrefix("data:") {
                    data.append(String(line.dropFirst(5).drop { $0 == " " }))
                }
            }
            if !data.isEmpty { payloads.append(data.joined(separator: "\n")) }
        } else if !outcome.body.isEmpty {
            payloads.append(String(decoding: outcome.body, as: UTF8.self))
        }
        return payloads.flatMap { payload -> [JSONValue] in
            guard let value = try? JSONValue.parse(payload) else { return [] }
            return value.arrayValue ?? [value]
        }
    }

    func close() async -> [PluginLog] {
        defer { connection.close() }
        guard let id = session.withLock({ $0.id }) else { return [] }
        // Ends the session (a server may answer 405: it does not let clients end sessions).
        let (url, headers) = (endpoint.url, headers())
        let outcome = await BlockingIO.run { [connection] flag in
            connection.post(url, method: "DELETE", headers: headers, body: [], timeout: 5, cancellation: flag)
        }
        return [line("→ DELETE \(endpoint.displayURL) (session \(id)) ← \(outcome.failure == nil ? "\(outcome.status) \(HTTPResponse.reason(outcome.status))" : "failed")")]
    }

    func terminate() async { connection.close() }

    private func line(_ text: String) -> PluginLog { PluginLog(stream: "http", text: endpoint.redact(text)) }

    private func failure(_ code: DagstackError.Code, _ message: String, _ logs: [PluginLog], type: String? = nil) -> DagstackError {
        var error = DagstackError(code, endpoint.redact(message), plugin: plugin, exceptionType: type)
        error.logs = logs
        return error
    }
}
