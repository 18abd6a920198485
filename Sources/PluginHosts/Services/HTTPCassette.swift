import Foundation
import PluginSystem
import Synchronization

/// One HTTP request a plugin made through `http_client` and what came back — a response, or the
/// failure raised instead — as a session file keeps it: the URL's secret query values and secret
/// headers masked, bodies as they were (text when they are UTF-8, else base64).
public struct HTTPExchange: Sendable, Equatable {
    public var plugin: String
    public var method: String
    /// With secret query values masked: what is kept is what is matched.
    public var url: String
    public var requestHeaders: [String: String]
    public var requestBody: [UInt8]?
    public var response: HTTPResponse?
    /// The error raised instead of a response (`ConnectionError: … refused`).
    public var failure: DagstackError?

    init(plugin: String, request: HTTPRequest) {
        self.plugin = plugin
        method = request.method
        url = HTTPService.maskedURL(request.url)
        requestHeaders = Self.masked(request.headers)
        requestBody = request.body.flatMap { $0.isEmpty ? nil : $0 }
    }

    static func masked(_ headers: [(String, String)]) -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in headers { out[name.lowercased()] = HTTPService.isSecretHeader(name) ? SecretMask.placeholder : value }
        return out
    }

    /// Whether `request` is this exchange's request, as a replay matches them: method, URL and body.
    func matches(_ other: HTTPExchange) -> Bool { mismatch(other) == nil }

    /// The first of method, URL, body in which `other`'s request differs from this one's.
    func mismatch(_ other: HTTPExchange) -> String? {
        if method != other.method { return "method" }
        if url != other.url { return "url" }
        if requestBody != other.requestBody { return "body" }
        return nil
    }

    public var json: JSONValue {
        var request: JSONObject = ["method": .string(method), "url": .string(url)]
        if !requestHeaders.isEmpty { request["headers"] = Self.headersJSON(requestHeaders) }
        Self.putBody(requestBody, into: &request)
        var o: JSONObject = ["plugin": .string(plugin), "request": .object(request)]
        if let response {
            var r: JSONObject = ["status": .int(response.status), "reason": .string(response.reason)]
            let headers = response.headers.map { ($0.key, HTTPService.isSecretHeader($0.key) ? SecretMask.placeholder : $0.value) }
            if !headers.isEmpty { r["headers"] = Self.headersJSON(Dictionary(uniqueKeysWithValues: headers)) }
            Self.putBody(response.body, into: &r)
            o["response"] = .object(r)
        }
        if let failure {
            o["error"] = ["message": .string(failure.message), "type": .string(failure.exceptionType ?? "ConnectionError")]
        }
        return .object(o)
    }

    /// An exchange as a session file holds it; nil when it is not one.
    public init?(json: JSONValue) {
        guard let request = json["request"], let method = request["method"]?.stringValue, let url = request["url"]?.stringValue else { return nil }
        plugin = json["plugin"]?.stringValue ?? "?"
        self.method = method
        self.url = url
        requestHeaders = Self.headers(request["headers"])
        requestBody = Self.body(request)
        if let r = json["response"] {
            guard let status = r["status"]?.intValue else { return nil }
            response = HTTPResponse(
                status: status, reason: r["reason"]?.stringValue ?? HTTPResponse.reason(status), headers: Self.headers(r["headers"]),
                body: Self.body(r) ?? [])
        }
        if let e = json["error"] {
            failure = DagstackError(.pluginError, e["message"]?.stringValue ?? "failed", exceptionType: e["type"]?.stringValue ?? "ConnectionError")
        }
        guard response != nil || failure != nil else { return nil }
    }

    static func headersJSON(_ headers: [String: String]) -> JSONValue {
        .object(JSONObject(uniqueKeysWithValues: headers.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
    }

    static func headers(_ value: JSONValue?) -> [String: String] {
        var out: [String: String] = [:]
        for (name, v) in value?.objectValue ?? [:] { out[name] = v.stringValue ?? v.encoded() }
        return out
    }

    static func putBody(_ body: [UInt8]?, into object: inout JSONObject) {
        guard let body, !body.isEmpty else { return }
        if let text = String(validating: body, as: UTF8.self) {
            object["body"] = .string(text)
        } else {
            object["body_base64"] = .string(Data(body).base64EncodedString())
        }
    }

    static func body(_ object: JSONValue) -> [UInt8]? {
        if let text = object["body"]?.stringValue { return Array(text.utf8) }
        if let encoded = object["body_base64"]?.stringValue, let data = Data(base64Encoded: encoded) { return [UInt8](data) }
        return nil
    }
}

/// A request a replay could not match with the recording (or, replaying live, one the recording does
/// not have), or one the recording has that the plugins did not make again: VCR's "no match".
public struct HTTPMismatch: Sendable, Equatable {
    public var plugin: String
    public var method: String
    public var url: String
    /// `method`, `url` or `body`: how the request differs from the closest recorded one; `request`
    /// when no recorded request comes close (another URL and method); `not made` for a recorded
    /// request the plugins did not make this time.
    public var field: String
    /// The closest recorded request (`METHOD URL`), when there is one.
    public var recorded: String?

    public var json: JSONValue {
        var o: JSONObject = ["plugin": .string(plugin), "method": .string(method), "url": .string(url), "field": .string(field)]
        if let recorded { o["recorded"] = .string(recorded) }
        return .object(o)
    }

    public var text: String {
        if field == "not made" { return "\(plugin) \(method) \(url): recorded, not requested this time" }
        var line = "\(plugin) \(method) \(url): not in the recording"
        if let recorded { line += " (the closest recorded request differs in its \(field): \(recorded))" }
        return line
    }
}

/// The plugins' HTTP requests during one command, kept or served as a session needs: idle (every
/// request goes to the client as it is), capturing (a recording: each exchange is kept), or serving
/// a command's recorded exchanges (a replay, by `HTTPMode`). The console owns one and gives it to
/// every directory it loads; `CassetteHTTPClient` consults it on each request.
public final class HTTPCassette: Sendable {
    /// The plugin making the request, set by the service that carries it to the client.
    @TaskLocal public static var caller: String?

    private enum Mode {
        case idle, capturing
        case serving(HTTPMode)
    }

    private struct State {
        var mode = Mode.idle
        /// Exchanges made this command (captured, served or sent).
        var made: [HTTPExchange] = []
        /// The recorded exchanges being served and which are used.
        var tape: [HTTPExchange] = []
        var used: [Bool] = []
        var mismatches: [HTTPMismatch] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Neither keeping nor serving: requests go to the client as they are.
    public var isIdle: Bool {
        state.withLock {
            if case .idle = $0.mode { return true }
            return false
        }
    }

    /// Keeps every exchange from now until `finish()`.
    public func capture() { state.withLock { $0 = State(mode: .capturing) } }

    /// Serves `recorded` (the exchanges of the command about to be replayed) as `mode` says until `finish()`.
    public func serve(_ recorded: [HTTPExchange], mode: HTTPMode) {
        state.withLock { $0 = State(mode: .serving(mode), tape: recorded, used: Array(repeating: false, count: recorded.count)) }
    }

    /// What happened since `capture()` or `serve(_:mode:)`: the exchanges made, in order, and (serving)
    /// the requests that did not match — with the recorded requests not made again. Back to idle.
    public func finish() -> (made: [HTTPExchange], mismatches: [HTTPMismatch]) {
        state.withLock { s in
            var mismatches = s.mismatches
            if case .serving = s.mode {
                for (exchange, used) in zip(s.tape, s.used) where !used {
                    mismatches.append(HTTPMismatch(plugin: exchange.plugin, method: exchange.method, url: exchange.url, field: "not made"))
                }
            }
            let made = s.made
            s = State()
            return (made, mismatches)
        }
    }

    enum Decision {
        /// Send it to the client and keep the exchange.
        case send
        /// Answer it from the recording.
        case answer(HTTPExchange)
        /// Fail it: the recording does not have it and the network is not to be used.
        case refuse(HTTPMismatch)
        /// Send it as when nothing is being kept.
        case passThrough
    }

    func decide(_ request: HTTPExchange) -> Decision {
        state.withLock { s in
            switch s.mode {
            case .idle: return .passThrough
            case .capturing: return .send
            case .serving(let mode):
                if let index = s.tape.indices.first(where: { !s.used[$0] && s.tape[$0].matches(request) }) {
                    s.used[index] = true
                    if mode == .live { return .send }
                    return .answer(s.tape[index])
                }
                let miss = Self.mismatch(request, among: s.tape.indices.filter { !s.used[$0] }.map { s.tape[$0] })
                switch mode {
                case .replay:
                    s.mismatches.append(miss)
                    return .refuse(miss)
                case .live:
                    s.mismatches.append(miss)
                    return .send
                case .new:
                    return .send
                }
            }
        }
    }

    func keep(_ exchange: HTTPExchange) { state.withLock { $0.made.append(exchange) } }

    /// How `request` differs from the closest of `candidates`: the same method and URL (its body),
    /// the same method and address without the query (its URL), the same URL (its method).
    static func mismatch(_ request: HTTPExchange, among candidates: [HTTPExchange]) -> HTTPMismatch {
        func base(_ url: String) -> Substring { url.prefix { $0 != "?" } }
        let ofPlugin = candidates.filter { $0.plugin == request.plugin }
        let pool = ofPlugin.isEmpty ? candidates : ofPlugin
        let closest =
            pool.first { $0.method == request.method && $0.url == request.url }
            ?? pool.first { $0.method == request.method && base($0.url) == base(request.url) }
            ?? pool.first { $0.url == request.url }
            ?? pool.first { $0.method == request.method }
        guard let closest else {
            return HTTPMismatch(plugin: request.plugin, method: request.method, url: request.url, field: "request")
        }
        return HTTPMismatch(
            plugin: request.plugin, method: request.method, url: request.url, field: closest.mismatch(request) ?? "request",
            recorded: "\(closest.method) \(closest.url)")
    }
}

/// The `http_client` a console gives plugins: the directory's own client, with every request seen
/// by the console's cassette (kept while recording, answered from the recording while replaying).
struct CassetteHTTPClient: PluginHTTPClient {
    let inner: any PluginHTTPClient
    let cassette: HTTPCassette

    func send(_ request: HTTPRequest) async throws(DagstackError) -> HTTPResponse {
        var exchange = HTTPExchange(plugin: HTTPCassette.caller ?? "?", request: request)
        switch cassette.decide(exchange) {
        case .passThrough:
            return try await inner.send(request)
        case .answer(let recorded):
            exchange.response = recorded.response
            exchange.failure = recorded.failure
            cassette.keep(exchange)
            if let failure = recorded.failure { throw failure }
            return recorded.response ?? HTTPResponse(status: 599)
        case .refuse(let miss):
            throw DagstackError(
                .pluginError,
                "http_client: \(request.method) \(exchange.url) is not in the recording, and a replay does not use the network"
                    + (miss.recorded.map { " (the closest recorded request, \($0), differs in its \(miss.field))" } ?? ""),
                exceptionType: "ConnectionError")
        case .send:
            do {
                exchange.response = try await inner.send(request)
                cassette.keep(exchange)
                return exchange.response!
            } catch {
                exchange.failure = error
                cassette.keep(exchange)
                throw error
            }
        }
    }

    var descriptor: JSONValue { inner.descriptor }
}
