import Foundation

/// One HTTP request a plugin makes through the `http_client` resource.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// Seconds; nil for the client's default.
    public var timeout: Double?

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil, timeout: Double? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    public static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
        a.method == b.method && a.url == b.url && a.headers.elementsEqual(b.headers, by: ==) && a.body == b.body && a.timeout == b.timeout
    }
}

public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var reason: String
    public var headers: [String: String]
    public var body: [UInt8]

    /// The standard reason phrase of a status code.
    public static func reason(_ status: Int) -> String {
        let phrases = [
            200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 301: "Moved Permanently", 302: "Found",
            304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 409: "Conflict", 422: "Unprocessable Entity", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
        ]
        return phrases[status] ?? ""
    }

    public init(status: Int, reason: String = "", headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }
}

/// The `http_client` standard resource (reference/resources-list), whatever carries the request: the
/// network, or a stub answering from a table (offline fixtures and tests).
public protocol PluginHTTPClient: Sendable {
    func send(_ request: HTTPRequest) async throws(DagstackError) -> HTTPResponse
    /// How the client is described to a plugin host in another process and in `resources`.
    var descriptor: JSONValue { get }
}

/// An HTTP client that answers from a table of routes (`"GET https://example.org/x": {status_code,
/// headers, json | text}`) and never touches the network; an unknown route is a 404 saying so.
/// Given as `--resource http_client=@stub.json` with `{"resource": "http_client", "spec": {"type":
/// "stub", "routes": {...}}}`.
public struct StubHTTPClient: PluginHTTPClient {
    public let routes: JSONObject

    public init(routes: JSONObject) { self.routes = routes }

    public func send(_ request: HTTPRequest) async throws(DagstackError) -> HTTPResponse {
        let withoutQuery = String(request.url.prefix { $0 != "?" })
        guard let route = (routes["\(request.method) \(request.url)"] ?? routes["\(request.method) \(withoutQuery)"])?.objectValue else {
            return HTTPResponse(
                status: 404, reason: "Not Found", headers: ["content-type": "text/plain"],
                body: Array("the http_client stub has no route for \(request.method) \(request.url)".utf8))
        }
        var headers: [String: String] = [:]
        for (name, value) in route["headers"]?.objectValue ?? [:] { headers[name.lowercased()] = value.stringValue ?? value.encoded() }
        var body: [UInt8] = []
        if let json = route["json"] {
            body = json.encodedBytes()
            if headers["content-type"] == nil { headers["content-type"] = "application/json" }
        } else if let text = route["text"]?.stringValue {
            body = Array(text.utf8)
        }
        let status = route["status_code"]?.intValue ?? 200
        return HTTPResponse(status: status, reason: HTTPResponse.reason(status), headers: headers, body: body)
    }

    public var descriptor: JSONValue { ["type": "stub", "routes": .object(routes)] }
}
