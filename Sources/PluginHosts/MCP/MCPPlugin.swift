import Foundation
import PluginSystem
import Synchronization

/// A Model Context Protocol server as a plugin (`protocol = "mcp"`): the console is the MCP client.
/// Set-up is the MCP handshake (`initialize` with a protocol version and client info, then
/// `notifications/initialized`) and `tools/list`; each tool is a hook of the plugin's kind, under its
/// own name or the one `[plugin.tools]` maps to it; a hook call is `tools/call`.
public final class MCPPlugin: Plugin {
    public let manifest: PluginManifest
    let callTimeout: Double
    let connect: @Sendable () throws(DagstackError) -> any MCPTransport

    /// The MCP revision the console asks for; the server may answer with another it supports.
    public static let protocolVersion = "2025-06-18"

    private struct State {
        var transport: (any MCPTransport)?
        /// Tools by the hook they serve.
        var tools: [String: MCPTool] = [:]
        var serverInfo: JSONValue?
        var negotiatedVersion: String?
    }

    private let state = Mutex(State())
    private let output = PhaseOutputLog()

    init(manifest: PluginManifest, callTimeout: Double, connect: @escaping @Sendable () throws(DagstackError) -> any MCPTransport) {
        self.manifest = manifest
        self.callTimeout = callTimeout
        self.connect = connect
    }

    public var phaseOutput: [PhaseOutput] { output.all }
    public var enforcesTimeLimits: Bool { true }

    public func implements(_ hook: String) -> Bool { state.withLock { $0.tools[hook] != nil } }
    public var hookNames: [String]? { state.withLock { $0.tools.keys.sorted() } }

    /// Each hook and the tool that serves it, by hook name.
    public var tools: [(hook: String, tool: MCPTool)] {
        state.withLock { s in s.tools.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }

    public var serverInfo: JSONValue? { state.withLock { $0.serverInfo } }
    public var negotiatedVersion: String? { state.withLock { $0.negotiatedVersion } }
    public var transportDescription: String? { state.withLock { $0.transport?.description } }
    /// The server's pid, when it is a child process of the console.
    public var pid: Int32? { (state.withLock { $0.transport } as? MCPStdioTransport)?.pid }

    public func setup(_ context: PluginContext) async throws {
        let transport = try connect()
        state.withLock { $0.transport = transport }
        let limit = Double(manifest.startupTimeoutSec)
        var logs: [PluginLog] = []
        do {
            let params: JSONValue = [
                "protocolVersion": .string(Self.protocolVersion), "capabilities": [:],
                "clientInfo": ["name": "dagstack-console", "version": .string(PluginRegistry.runtimeVersion)],
            ]
            let (result, said) = try await transport.request(
                "initialize", params: params, timeout: limit, activity: "the MCP initialize handshake", limitName: "startup_timeout_sec")
            logs += said
            try await transport.notify("notifications/initialized", params: nil)
            state.withLock { s in
                s.serverInfo = result["serverInfo"]
                s.negotiatedVersion = result["protocolVersion"]?.stringValue
            }
            let listed = try await listTools(transport, limit: limit, logs: &logs)
            let mapped = try hooks(for: listed)
            state.withLock { $0.tools = mapped }
            output.add(.setup, logs)
        } catch {
            output.add(.setup, logs + error.logs)
            await transport.terminate()
            throw error
        }
    }

    /// Every tool, following `nextCursor` pages.
    private func listTools(_ transport: any MCPTransport, limit: Double, logs: inout [PluginLog]) async throws(DagstackError) -> [MCPTool] {
        var tools: [MCPTool] = []
        var cursor: JSONValue?
        repeat {
            let params: JSONValue = cursor.map { ["cursor": $0] } ?? [:]
            let (page, said) = try await transport.request("tools/list", params: params, timeout: limit, activity: "tools/list", limitName: "startup_timeout_sec")
            logs += said
            tools += (page["tools"]?.arrayValue ?? []).compactMap(MCPTool.init)
            cursor = page["nextCursor"].flatMap { $0 == .null ? nil : $0 }
        } while cursor != nil && tools.count < 100_000
        return tools
    }

    /// The hooks the tools serve: each tool under its own name, except those `[plugin.tools]` maps
    /// to a hook (`rewrite = "normalize_query"`), which serve that hook instead.
    private func hooks(for tools: [MCPTool]) throws(DagstackError) -> [String: MCPTool] {
        let byName = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var hooks: [String: MCPTool] = [:]
        let mappedTools = Set(manifest.toolHooks.values)
        for tool in tools where !mappedTools.contains(tool.name) { hooks[tool.name] = tool }
        for (hook, name) in manifest.toolHooks.sorted(by: { $0.key < $1.key }) {
            guard let tool = byName[name] else {
                throw DagstackError(
                    .pluginLoadError,
                    "Plugin '\(manifest.name)': [plugin.tools] maps hook '\(hook)' to tool '\(name)', which the server does not list; its tools: \(tools.map(\.name).sorted().joined(separator: ", "))",
                    plugin: manifest.name)
            }
            hooks[hook] = tool
        }
        return hooks
    }

    public func call(_ hook: String, _ arguments: HookArguments, context: HookContext) async throws -> HookReply {
        let (transport, tool) = state.withLock { ($0.transport, $0.tools[hook]) }
        guard let transport, let tool else {
            throw DagstackError(.pluginLoadError, "Plugin '\(manifest.name)' is not running", plugin: manifest.name)
        }
        let activity = "\(context.kind).\(hook)"
        let toolArguments: JSONObject
        do { toolArguments = try tool.arguments(arguments) } catch {
            throw DagstackError(.dispatchMismatch, "Plugin '\(manifest.name)' cannot call \(activity): \(error.message)", plugin: manifest.name)
        }
        let violations = JSONSchema(tool.inputSchema, source: "tool '\(tool.name)' inputSchema").validate(.object(toolArguments))
        if !violations.isEmpty {
            throw DagstackError(
                .dispatchMismatch,
                "Plugin '\(manifest.name)': the arguments of \(activity) break tool '\(tool.name)''s inputSchema: \(violations.map(\.description).joined(separator: "; "))",
                plugin: manifest.name)
        }
        let (result, logs) = try await transport.request(
            "tools/call", params: ["name": .string(tool.name), "arguments": .object(toolArguments)], timeout: callTimeout,
            activity: activity, limitName: "--call-timeout")
        if result["isError"] == true {
            var failure = DagstackError(
                .pluginError, "Plugin '\(manifest.name)' failed in \(activity): tool '\(tool.name)' reported an error: \(MCPTool.errorMessage(of: result))",
                plugin: manifest.name)
            failure.logs = logs
            throw failure
        }
        let value = MCPTool.value(of: result)
        if let schema = tool.outputSchema, result["structuredContent"] != nil {
            let problems = JSONSchema(schema, source: "tool '\(tool.name)' outputSchema").validate(value)
            if !problems.isEmpty {
                var failure = DagstackError(
                    .dispatchMismatch,
                    "Plugin '\(manifest.name)' returned \(value.encoded().prefix(200)) from tool '\(tool.name)', which breaks its outputSchema: \(problems.map(\.description).joined(separator: "; "))",
                    plugin: manifest.name)
                failure.logs = logs
                failure.returned = value
                throw failure
            }
        }
        return HookReply(HookOutput(wire: value), logs: logs)
    }

    public func teardown() async throws {
        guard let transport = state.withLock({ s in defer { s.transport = nil }; return s.transport }) else { return }
        output.add(.teardown, await transport.close())
    }

    public func terminate() async {
        guard let transport = state.withLock({ s in defer { s.transport = nil }; return s.transport }) else { return }
        await transport.terminate()
    }
}
