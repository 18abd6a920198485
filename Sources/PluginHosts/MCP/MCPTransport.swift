import PluginSystem

/// How an MCP server is reached: over a child's stdio or over Streamable HTTP. Failures come back
/// as the runtime's errors, naming the plugin and what it was doing.
protocol MCPTransport: Sendable {
    /// One request and its result; `logs` is what the server sent or wrote meanwhile (its log
    /// notifications, its stderr).
    func request(_ method: String, params: JSONValue, timeout: Double, activity: String, limitName: String)
        async throws(DagstackError) -> (result: JSONValue, logs: [PluginLog])
    func notify(_ method: String, params: JSONValue?) async throws(DagstackError)
    /// Ends the session as the transport's part of the MCP spec says; returns what the server wrote.
    func close() async -> [PluginLog]
    /// Stops at once (a time-out, Ctrl-C).
    func terminate() async
    /// How the server is reached, for `show`.
    var description: String { get }
}

/// An MCP server as a child process speaking newline-delimited JSON-RPC on its stdin/stdout (MCP's
/// stdio transport), started under a keeper like every plugin process.
final class MCPStdioTransport: MCPTransport {
    let channel: JSONRPCChannel
    let plugin: String
    let command: [String]

    init(manifest: PluginManifest, folder: String) throws(DagstackError) {
        plugin = manifest.name
        command = manifest.command ?? (manifest.entryPoint ?? "").split(separator: " ").map(String.init)
        channel = JSONRPCChannel(process: try StdioPlugin.spawn(manifest, folder: folder), peer: MCPClientRequests())
    }

    var description: String { "stdio process " + command.joined(separator: " ") + (channel.process.programPID.map { ", pid \($0)" } ?? "") }

    var pid: Int32? { channel.process.programPID }

    func request(_ method: String, params: JSONValue, timeout: Double, activity: String, limitName: String)
        async throws(DagstackError) -> (result: JSONValue, logs: [PluginLog])
    {
        do {
            let reply = try await channel.exchange(method, params: params, timeout: timeout)
            return (reply.result, reply.logs + stderr())
        } catch {
            var failure = error.error(plugin: plugin, activity: activity, process: channel.process, timeout: timeout, limitName: limitName)
            failure.logs = error.stopsPeer ? channel.takeUnansweredOutput() : stderr()
            if failure.pluginStopped { channel.process.terminate(grace: 0.2) }
            throw failure
        }
    }

    func notify(_ method: String, params: JSONValue?) async throws(DagstackError) {
        do { try channel.notify(method, params: params) } catch {
            throw error.error(plugin: plugin, activity: method, process: channel.process, timeout: nil, limitName: "")
        }
    }

    /// MCP's stdio shutdown: close the server's input, give it a moment to exit, then SIGTERM and
    /// SIGKILL (the keeper takes whatever it started with it).
    func close() async -> [PluginLog] {
        let process = channel.process
        return await BlockingIO.run { _ in
            process.closeInput()
            process.waitForExit(seconds: 2)
            process.terminate(grace: 2)
            process.stderr.waitForClose(seconds: 0.5)
            return process.stderr.drain(includingPartialLine: true).map { PluginLog(stream: "stderr", text: $0) }
        }
    }

    func terminate() async {
        let process = channel.process
        await BlockingIO.run { _ in process.terminate(grace: 0.2) }
    }

    private func stderr() -> [PluginLog] {
        channel.process.stderr.drain(includingPartialLine: true).map { PluginLog(stream: "stderr", text: $0) }
    }
}

/// What the console answers requests an MCP server sends it: `ping`, and `roots/list` (no roots).
/// Sampling and elicitation are not offered (the console's `initialize` declares no capabilities).
struct MCPClientRequests: PeerRequestHandler {
    func handle(_ request: PeerRequest) async -> PeerAnswer {
        switch request.method {
        case "ping": PeerAnswer(result: .success([:]))
        case "roots/list": PeerAnswer(result: .success(["roots": []]))
        default:
            PeerAnswer(result: .failure(PeerError(code: -32601, message: "the dagstack console does not offer '\(request.method)'", type: "MethodNotFound")))
        }
    }
}
