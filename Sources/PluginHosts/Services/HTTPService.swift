import Foundation
import PluginSystem

/// `http.request` from a plugin: made with the directory's `http_client` resource, and written into
/// the calling plugin's log — the request (method, URL, headers, body) and the response (status,
/// time, body) — so a trace shows what the plugin sent and got. Authorization, cookies and every
/// header, query parameter or JSON field with a secret-looking name are masked there.
struct HTTPService {
    let resources: ResourceRegistry

    init(_ resources: ResourceRegistry) { self.resources = resources }

    /// How much of a body the log shows.
    static let bodyPreview = 600

    func send(_ params: JSONValue, caller: String) async throws -> PeerAnswer {
        guard case .httpClient(let client)? = resources.get("http_client") else {
            throw PeerError(message: "the host registered no http_client resource", type: "RuntimeError")
        }
        guard let method = params["method"]?.stringValue, let url = params["url"]?.stringValue else {
            throw PeerError(message: "http.request needs method and url", type: "TypeError")
        }
        var headers: [(String, String)] = []
        for (name, value) in params["headers"]?.objectValue ?? [:] { headers.append((name, value.stringValue ?? value.encoded())) }
        var body: [UInt8]?
        if let encoded = params["body_base64"]?.stringValue {
            guard let data = Data(base64Encoded: encoded) else { throw PeerError(message: "http.request: body_base64 is not base64", type: "ValueError") }
            body = [UInt8](data)
        }
        let request = HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: params["timeout"]?.doubleValue)
        var logs = [PluginLog(stream: "http", text: "→ \(method) \(Self.maskedURL(url))" + Self.describe(headers) + Self.describe(body))]
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            // The plugin that asks, for a recording's cassette to name it.
            response = try await HTTPCassette.$caller.withValue(caller) { try await client.send(request) }
        } catch {
            let failure = error as? DagstackError ?? DagstackError(.pluginError, "\(error)")
            logs.append(PluginLog(stream: "http", text: "← \(failure.message) (\(PluginServices.elapsed(since: started)))"))
            return PeerAnswer(result: .failure(PeerError(message: failure.message, type: failure.exceptionType ?? "ConnectionError")), logs: logs)
        }
        logs.append(PluginLog(
            stream: "http",
            text: "← \(response.status) \(response.reason) (\(PluginServices.elapsed(since: started)), \(response.body.count) bytes)" + Self.describe(response.body)))
        let answer: JSONValue = [
            "status_code": .int(response.status), "reason": .string(response.reason),
            "headers": .object(JSONObject(uniqueKeysWithValues: response.headers.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            "body_base64": .string(Data(response.body).base64EncodedString()),
        ]
        return PeerAnswer(result: .success(answer), logs: logs)
    }

    static let secretHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

    static func isSecretHeader(_ name: String) -> Bool {
        secretHeaders.contains(name.lowercased()) || SecretMask.isSecret(name.replacingOccurrences(of: "-", with: "_"))
    }

    static func describe(_ headers: [(String, String)]) -> String {
        guard !headers.isEmpty else { return "" }
        return " " + headers.map { "\($0.0): \(isSecretHeader($0.0) ? SecretMask.placeholder : $0.1)" }.joined(separator: "; ")
    }

    static func describe(_ body: [UInt8]?) -> String {
        guard let body, !body.isEmpty else { return "" }
        if let json = try? JSONValue.parse(bytes: body) {
            return " " + String(SecretMask.masked(json).encoded().prefix(bodyPreview))
        }
        let text = String(decoding: body.prefix(bodyPreview), as: UTF8.self)
        let printable = text.unicodeScalars.allSatisfy { $0.value >= 0x20 || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        return printable ? " " + text.replacingOccurrences(of: "\n", with: "⏎") : " <\(body.count) bytes of binary data>"
    }

    /// The URL with the values of secret-looking query parameters (`?api_key=`) masked.
    static func maskedURL(_ url: String) -> String {
        guard var parts = URLComponents(string: url), let items = parts.queryItems, !items.isEmpty else { return url }
        parts.queryItems = items.map { SecretMask.isSecret($0.name) && !($0.value ?? "").isEmpty ? URLQueryItem(name: $0.name, value: SecretMask.placeholder) : $0 }
        return parts.string ?? url
    }
}

/// The log lines `http.request` writes, as a comparison of two runs reads them.
public enum HTTPLog {
    /// A response line without how long the exchange took (`← 200 OK (3 ms, 12 bytes) …` reads
    /// `← 200 OK (12 bytes) …`; `← refused (3 ms)` reads `← refused`): the time differs run to run.
    public static func withoutElapsed(_ text: String) -> String {
        guard text.hasPrefix("← ") else { return text }
        func isElapsed(_ amount: Substring) -> Bool { amount == "<1" || (!amount.isEmpty && amount.allSatisfy(\.isNumber)) }
        // A failure: the time closes the line.
        if text.hasSuffix(" ms)"), let open = text.range(of: " (", options: .backwards),
            isElapsed(text[open.upperBound..<text.index(text.endIndex, offsetBy: -4)])
        {
            return String(text[..<open.lowerBound])
        }
        // A response: the time opens the parenthesis after the status.
        guard let open = text.range(of: " ("), let comma = text.range(of: " ms, ", range: open.upperBound..<text.endIndex),
            isElapsed(text[open.upperBound..<comma.lowerBound])
        else { return text }
        return String(text[..<open.upperBound] + text[comma.upperBound...])
    }
}

/// `blob.*` from a plugin: the directory's `blob_store` resource, with bytes as base64.
struct BlobService {
    let resources: ResourceRegistry

    init(_ resources: ResourceRegistry) { self.resources = resources }

    func run(_ operation: String, _ params: JSONValue) throws -> JSONValue {
        guard case .blobStore(let store)? = resources.get("blob_store") else {
            throw PeerError(message: "the host registered no blob_store resource", type: "RuntimeError")
        }
        guard let key = params["key"]?.stringValue ?? (operation == "list" ? "" : nil) else {
            throw PeerError(message: "blob_store.\(operation) needs a key (a string)", type: "TypeError")
        }
        switch operation {
        case "put":
            guard let encoded = params["data_base64"]?.stringValue, let data = Data(base64Encoded: encoded) else {
                throw PeerError(message: "blob_store.put needs bytes", type: "TypeError")
            }
            try store.put(key, [UInt8](data), contentType: params["content_type"]?.stringValue)
            return .null
        case "get":
            return ["data_base64": try store.get(key).map { .string(Data($0).base64EncodedString()) } ?? .null]
        case "delete":
            try store.delete(key)
            return .null
        case "list":
            return ["keys": .array(try store.list(prefix: params["prefix"]?.stringValue ?? "").map(JSONValue.string))]
        case "exists":
            return ["exists": .bool(try store.exists(key))]
        default:
            throw PeerError(code: -32601, message: "blob_store has no operation '\(operation)'", type: "AttributeError")
        }
    }
}
