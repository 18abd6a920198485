import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PluginSystem

/// The `http_client` a console gives plugins by default: real requests over the network (TLS,
/// redirects and proxies as the system's URLSession does them), each answered in full. A request
/// that fails before any response (no such host, refused, timed out) is an error naming the URL.
public struct LiveHTTPClient: PluginHTTPClient {
    /// Seconds a request may take when the plugin gives no timeout.
    public let defaultTimeout: Double

    public init(defaultTimeout: Double = 30) { self.defaultTimeout = defaultTimeout }

    public func send(_ request: HTTPRequest) async throws(DagstackError) -> HTTPResponse {
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw DagstackError(.pluginError, "http_client: '\(request.url)' is not an http(s) URL", exceptionType: "ValueError")
        }
        var urlRequest = URLRequest(url: url, timeoutInterval: request.timeout ?? defaultTimeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.addValue(value, forHTTPHeaderField: name) }
        if let body = request.body { urlRequest.httpBody = Data(body) }
        let outcome: Result<(Data, URLResponse?), Error> = await withCheckedContinuation { continuation in
            let task = URLSession.shared.dataTask(with: urlRequest) { data, response, error in
                if let error { continuation.resume(returning: .failure(error)) } else {
                    continuation.resume(returning: .success((data ?? Data(), response)))
                }
            }
            task.resume()
        }
        switch outcome {
        case .failure(let error):
            throw DagstackError(
                .pluginError, "http_client: \(request.method) \(request.url) failed: \(error.localizedDescription)",
                exceptionType: "ConnectionError")
        case .success(let (data, response)):
            guard let http = response as? HTTPURLResponse else {
                throw DagstackError(.pluginError, "http_client: \(request.method) \(request.url) gave no HTTP response", exceptionType: "ConnectionError")
            }
            var headers: [String: String] = [:]
            for (name, value) in http.allHeaderFields { headers[String(describing: name).lowercased()] = String(describing: value) }
            return HTTPResponse(
                status: http.statusCode, reason: HTTPResponse.reason(http.statusCode),
                headers: headers, body: [UInt8](data))
        }
    }

    public var descriptor: JSONValue { ["type": "network"] }
}
