import Foundation
import PluginSystem
import Synchronization

/// JSON-RPC 2.0 over HTTP POST as the Python reference's `MCPHttpAdapter` speaks it (spec-notes
/// §8.3): the body `{"jsonrpc":"2.0","method":m,"params":{...},"id":n}` with `params` always
/// present; on HTTP 500/502/503/504 or a connection error, up to 3 attempts 0.5 s then 1 s apart
/// with the same id; a time-out is not retried. Unlike the reference, the connection is kept alive
/// between requests, the answer's id is checked, and every attempt is written to the call's log
/// (method, id, status, time, whether the connection was reused), secrets masked.
final class HTTPRPCClient: Sendable {
    let endpoint: HTTPEndpoint
    let connection: HTTPConnection
    private let nextID = Mutex(0)

    static let attempts = 3
    static let retryableStatuses: Set<Int> = [500, 502, 503, 504]
    /// The pauses before the second and third attempts (the reference's 0.5 × 2^attempt).
    static let backoff: [Double] = [0.5, 1.0]

    init(endpoint: HTTPEndpoint) {
        self.endpoint = endpoint
        connection = HTTPConnection(tls: endpoint.tls)
    }

    /// Why a request got no result.
    enum Failure: Error {
        /// Every attempt hit a 5xx (`status`) or a connection error (`connect`).
        case unavailable(status: Int?, message: String, attempts: Int)
        case timedOut
        case cancelled
        case tls(String)
        /// A status that is neither 200 nor retried, with the start of its body.
        case status(Int, String)
        /// A 200 whose body is not a JSON-RPC 2.0 response object.
        case malformed(String)
        case remote(code: Int, message: String, data: JSONValue?)
    }

    struct Reply {
        var result: JSONValue
        var logs: [PluginLog]
    }

    /// One request and its answer; `logs` gets a line per attempt and per answer either way.
    func request(_ method: String, params: JSONValue, timeout: Double, retries: Bool = true, logs: inout [PluginLog]) async throws(Failure) -> JSONValue {
        let id = nextID.withLock { $0 += 1; return $0 }
        let message: JSONValue = ["jsonrpc": "2.0", "method": .string(method), "params": params, "id": .int(id)]
        let body = message.encodedBytes()
        let maxAttempts = retries ? Self.attempts : 1
        var attempt = 1
        while true {
            let attemptNote = attempt == 1 ? "" : ", attempt \(attempt) of \(maxAttempts)"
            logs.append(line(
                "→ POST \(endpoint.displayURL) \(method) (id \(id)\(attemptNote))"
                    + (attempt == 1 ? HTTPService.describe(endpoint.headers) + HTTPService.describe(body) : "")))
            let (url, headers, limit) = (endpoint.url, endpoint.headers, timeout)
            let outcome = await BlockingIO.run { [connection] flag in
                connection.post(url, headers: headers, body: body, timeout: limit, cancellation: flag)
            }
            let timing = "\(Self.milliseconds(outcome.seconds)), \(outcome.newConnection ? "new connection" : "connection reused")"
            var retryable: Failure?
            switch outcome.failure {
            case .connect(let why)?:
                logs.append(line("← connection failed: \(why)"))
                retryable = .unavailable(status: nil, message: why, attempts: attempt)
            case .timedOut?:
                logs.append(line("← no answer within \(RPCFailure.seconds(timeout))s (not retried)"))
                throw .timedOut
            case .cancelled?:
                logs.append(line("← interrupted"))
                throw .cancelled
            case .tls(let why)?:
                logs.append(line("← TLS failed: \(why)"))
                throw .tls(why)
            case .tooLarge?:
                logs.append(line("← answer over \(HTTPConnection.maxBody / 1024 / 1024) MiB"))
                throw .malformed("an answer over \(HTTPConnection.maxBody / 1024 / 1024) MiB")
            case .other(let why)?:
                logs.append(line("← failed: \(why)"))
                throw .unavailable(status: nil, message: why, attempts: attempt)
            case nil:
                logs.append(line("← \(outcome.status) \(HTTPResponse.reason(outcome.status)) (\(timing), \(outcome.body.count) bytes)" + HTTPService.describe(outcome.body)))
                if Self.retryableStatuses.contains(outcome.status) {
                    retryable = .unavailable(status: outcome.status, message: HTTPResponse.reason(outcome.status), attempts: attempt)
                } else if outcome.status != 200 {
                    throw .status(outcome.status, endpoint.redact(String(decoding: outcome.body.prefix(500), as: UTF8.self)))
                } else {
                    return try decode(outcome.body, id: id)
                }
            }
            guard let retryable, attempt < maxAttempts else { throw retryable ?? .cancelled }
            let pause = Self.backoff[attempt - 1]
            logs.append(line("  retrying in \(RPCFailure.seconds(pause))s with the same id"))
            do { try await Task.sleep(for: .milliseconds(Int(pause * 1000))) } catch { throw .cancelled }
            attempt += 1
        }
    }

    private func decode(_ body: [UInt8], id: Int) throws(Failure) -> JSONValue {
        let preview = endpoint.redact(String(decoding: body.prefix(200), as: UTF8.self))
        guard let parsed = try? JSONValue.parse(bytes: body) else {
            throw .malformed("the body is not JSON: \(preview)")
        }
        guard case .object(let object) = parsed else { throw .malformed("a JSON-RPC response must be an object, got \(parsed.typeName)") }
        guard object["jsonrpc"] == "2.0" else { throw .malformed("missing or invalid 'jsonrpc' (must be \"2.0\"): \(preview)") }
        if let error = object["error"], case .object = error {
            throw .remote(
                code: error["code"]?.intValue ?? -1, message: endpoint.redact(error["message"]?.stringValue ?? "unknown error"),
                data: error["data"])
        }
        if let answered = object["id"], answered != .int(id) {
            throw .malformed("the answer's id is \(answered.encoded()), the request's \(id)")
        }
        return object["result"] ?? .null
    }

    private func line(_ text: String) -> PluginLog {
        PluginLog(stream: "http", text: endpoint.redact(text))
    }

    static func milliseconds(_ seconds: Double) -> String {
        seconds < 0.01 ? String(format: "%.1f ms", seconds * 1000) : "\(Int((seconds * 1000).rounded())) ms"
    }
}
