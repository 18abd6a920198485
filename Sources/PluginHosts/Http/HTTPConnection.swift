import CHTTP
import Foundation
import Synchronization

/// One HTTP/1.1 connection to a plugin's service, kept open between requests (keep-alive), over
/// libcurl: TLS with the system's trust store, or with the manifest's `tls_ca_bundle`. A trace of a
/// chain pays the TCP (and TLS) handshake once, not once per stage. One request at a time.
final class HTTPConnection: Sendable {
    struct TLS: Sendable, Equatable {
        /// A PEM file of certificate authorities to trust instead of the system's.
        var caBundle: String?
        var verify = true
    }

    /// What one POST gave.
    struct Outcome: Sendable {
        enum Failure: Sendable, Equatable {
            case connect(String)
            case timedOut
            case tls(String)
            case cancelled
            case tooLarge
            case other(String)
        }
        var failure: Failure?
        var status = 0
        var body: [UInt8] = []
        /// The response's headers, names lower-cased (a repeated header: its last value).
        var headers: [String: String] = [:]
        /// Whether the request had to open a connection (false: it reused the kept-alive one).
        var newConnection = false
        var seconds = 0.0
    }

    /// The largest response body accepted (the limit of one line on a stdio plugin's pipe).
    static let maxBody = 256 * 1024 * 1024

    private struct Handle: @unchecked Sendable { let pointer: OpaquePointer }
    private let handle: Mutex<Handle?>
    let tls: TLS

    init(tls: TLS) {
        self.tls = tls
        handle = Mutex(dagstack_http_open().map(Handle.init))
    }

    deinit { close() }

    /// Closes the connection; a later request opens a new one.
    func close() {
        handle.withLock { h in
            if let pointer = h?.pointer { dagstack_http_close(pointer) }
            h = nil
        }
    }

    /// POSTs `body` to `url` (or sends `method`, without a body), blocking the calling thread (run it
    /// on an I/O thread) for at most `timeout` seconds; `cancellation` aborts it.
    func post(
        _ url: String, method: String? = nil, headers: [(String, String)], body: [UInt8], timeout: Double, cancellation: CancellationFlag?
    ) -> Outcome {
        handle.withLock { h -> Outcome in
            if h == nil { h = dagstack_http_open().map(Handle.init) }
            guard let pointer = h?.pointer else { return Outcome(failure: .other("libcurl could not start")) }
            let lines = headers.map { "\($0.0): \($0.1)" }
            var raw = dagstack_http_result()
            let context = cancellation.map { Unmanaged.passUnretained($0).toOpaque() }
            withCStrings(lines) { headerPointers in
                method.withOptionalCString { methodPointer in
                url.withCString { urlPointer in
                    tls.caBundle.withOptionalCString { caPointer in
                        body.withUnsafeBufferPointer { bodyPointer in
                            var request = dagstack_http_request(
                                method: methodPointer, url: urlPointer, headers: headerPointers, header_count: Int32(lines.count),
                                body: UnsafeRawPointer(bodyPointer.baseAddress)?.assumingMemoryBound(to: CChar.self),
                                body_length: body.count, timeout_ms: max(1, Int(timeout * 1000)), ca_bundle: caPointer,
                                verify_tls: tls.verify ? 1 : 0, max_body: Self.maxBody,
                                cancelled: context == nil ? nil : { Unmanaged<CancellationFlag>.fromOpaque($0!).takeUnretainedValue().isCancelled ? 1 : 0 },
                                cancel_context: context)
                            dagstack_http_post(pointer, &request, &raw)
                        }
                    }
                }
                }
            }
            defer { dagstack_http_free_body(&raw) }
            var outcome = Outcome(status: raw.status, newConnection: raw.new_connections > 0, seconds: raw.seconds)
            let message = withUnsafeBytes(of: raw.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            switch Int(raw.failure) {
            case Int(DAGSTACK_HTTP_OK.rawValue):
                if let bytes = raw.body { outcome.body = [UInt8](UnsafeRawBufferPointer(start: bytes, count: raw.body_length)) }
                if let bytes = raw.headers {
                    let text = String(decoding: UnsafeRawBufferPointer(start: bytes, count: raw.headers_length), as: UTF8.self)
                    for line in text.split(whereSeparator: \.isNewline) {
                        guard let colon = line.firstIndex(of: ":") else { continue }
                        outcome.headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    }
                }
            case Int(DAGSTACK_HTTP_CONNECT.rawValue): outcome.failure = .connect(message)
            case Int(DAGSTACK_HTTP_TIMEOUT.rawValue): outcome.failure = .timedOut
            case Int(DAGSTACK_HTTP_TLS.rawValue): outcome.failure = .tls(message)
            case Int(DAGSTACK_HTTP_CANCELLED.rawValue): outcome.failure = .cancelled
            case Int(DAGSTACK_HTTP_TOO_LARGE.rawValue): outcome.failure = .tooLarge
            default: outcome.failure = .other(message)
            }
            return outcome
        }
    }
}

/// `strings` as an array of C strings for the duration of `body`.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}

extension Optional where Wrapped == String {
    fileprivate func withOptionalCString<R>(_ body: (UnsafePointer<CChar>?) -> R) -> R {
        switch self {
        case .some(let string): string.withCString { body($0) }
        case .none: body(nil)
        }
    }
}
