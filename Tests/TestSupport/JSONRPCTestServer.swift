import Foundation
import PluginSystem

/// `Tests/Fixtures/mcp-servers/jsonrpc_http_server.py` running on 127.0.0.1 for one test: a JSON-RPC
/// over HTTP service in the reference's dialect that logs every request it gets. It exits when
/// `stop()` closes its stdin, or when the test process dies (its stdin closes then too).
public final class JSONRPCTestServer: @unchecked Sendable {
    public let port: Int
    public let log: String
    let process: Process
    let input: Pipe
    let scratch: TempDir

    public var url: String { "\(scheme)://127.0.0.1:\(port)/rpc" }
    let scheme: String

    public static let script = packageRoot + "/Tests/Fixtures/mcp-servers/jsonrpc_http_server.py"

    /// Starts the server (HTTPS with `tls`: a certificate and its key, PEM files).
    public static func start(tls: (certificate: String, key: String)? = nil) async throws -> JSONRPCTestServer {
        let scratch = TempDir()
        let log = scratch.path + "/requests.jsonl"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--log", log] + (tls.map { ["--tls", $0.certificate, $0.key] } ?? [])
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let line: String = await withCheckedContinuation { continuation in
            Thread.detachNewThread {  // not a dispatch thread: see `run` in TempDir.swift
                var data = Data()
                while !data.contains(0x0A) {
                    let chunk = output.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    data += chunk
                }
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw ServerDidNotStart(output: line)
        }
        return JSONRPCTestServer(port: port, log: log, process: process, input: input, scratch: scratch, scheme: tls == nil ? "http" : "https")
    }

    init(port: Int, log: String, process: Process, input: Pipe, scratch: TempDir, scheme: String) {
        self.port = port
        self.log = log
        self.process = process
        self.input = input
        self.scratch = scratch
        self.scheme = scheme
    }

    deinit { stop() }

    /// Every request the server got, in order: method, id, attempt (per method and id), the client's
    /// port, the Authorization and X-Team headers, params.
    public func requests() -> [JSONValue] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
    }

    /// Stops the server: SIGKILL, without waiting on the caller's thread (tests run on Swift's
    /// cooperative pool, which timers of other suites share); Foundation reaps it.
    public func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var pid: Int32 { process.processIdentifier }

    struct ServerDidNotStart: Error, CustomStringConvertible {
        let output: String
        var description: String { "the test server did not start: \(output)" }
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then closed): a connection to it is refused.
public func closedLocalPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}
