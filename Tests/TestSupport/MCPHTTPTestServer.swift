import Foundation

/// `Tests/Fixtures/mcp-servers/sdk_server.py` serving Streamable HTTP on 127.0.0.1 for one test. It
/// exits when `stop()` closes its stdin, or when the test process dies.
public final class MCPHTTPTestServer: @unchecked Sendable {
    public let port: Int
    let process: Process
    let input: Pipe
    public var url: String { "http://127.0.0.1:\(port)/mcp" }
    public var pid: Int32 { process.processIdentifier }

    public static func start(marker: String = "") async throws -> MCPHTTPTestServer {
        let port = closedLocalPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try mcpPython())
        process.arguments = [mcpServers + "/sdk_server.py", "http", String(port)] + (marker.isEmpty ? [] : [marker])
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = MCPHTTPTestServer(port: port, process: process, input: input)
        let until = Date().addingTimeInterval(20)
        while !isListening(port: port) {
            guard Date() < until, process.isRunning else {
                server.stop()
                throw ServerDidNotStart(port: port)
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        return server
    }

    init(port: Int, process: Process, input: Pipe) {
        self.port = port
        self.process = process
        self.input = input
    }

    deinit { stop() }

    /// Stops the server: SIGKILL, without waiting on the caller's thread; Foundation reaps it.
    public func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    struct ServerDidNotStart: Error, CustomStringConvertible {
        let port: Int
        var description: String { "the MCP test server did not listen on 127.0.0.1:\(port)" }
    }
}

/// Whether something accepts connections on 127.0.0.1:`port`.
public func isListening(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}
