import Foundation
import PluginHosts
import PluginSystem
import Testing
import TestSupport

/// `protocol = "mcp"` over Streamable HTTP: the official SDK's server on 127.0.0.1 as plugin `sdk`.
@Suite(.serialized) struct MCPHTTPTests {
    static let token = "mcp-http-token-5b2e91"

    static func directory(_ url: String) -> TempDir {
        let dir = TempDir()
        dir.plugin("sdk", name: "sdk", kind: "query_rewriter", runtime: "mcp_http", extra: """
            protocol = "mcp"
            url = "\(url)"
            auth = { token = "\(token)" }
            [plugin.tools]
            rewrite = "normalize_query"
            """)
        return dir
    }

    @Test func aToolIsAChainStageOverStreamableHTTP() async throws {
        let server = try await MCPHTTPTestServer.start()
        let tmp = Self.directory(server.url)
        let dir = await PluginDirectory.load(tmp.path)
        let plugin = try #require(dir.registry.record(named: "sdk")?.instance as? MCPPlugin)
        #expect(dir.registry.record(named: "sdk")?.state == .active)
        #expect(plugin.serverInfo?["name"] == "sdk-test-server")
        #expect(plugin.hookNames == ["add", "crash", "refuse", "rewrite", "shout"])
        #expect(plugin.transportDescription?.hasPrefix("Streamable HTTP at \(server.url), session ") == true)
        let outcome = try await ChainDispatcher(dir.registry).dispatch("query_rewriter", "rewrite", initial: ["text": " MCP Over HTTP "])
        #expect(outcome.value == ["text": "mcp over http"])
        let reply = try await SingletonDispatcher(dir.registry).dispatch("query_rewriter", "rewrite", HookArguments([["text": "Ab"]])).reply
        #expect(reply.output == .value(["text": "ab"]))
        #expect(reply.logs.contains(PluginLog(stream: "log", level: "INFO", text: "normalizing 2 characters")), "\(reply.logs)")
        #expect(reply.logs.first?.text.hasPrefix("→ POST \(server.url) tools/call (id ") == true)
        #expect(reply.logs.contains { $0.text.contains("Authorization: [MASKED]") })
        #expect(!reply.logs.contains { $0.text.contains(Self.token) })
        // The tool error and named arguments, as over stdio.
        let refused = await Result(catching: { try await SingletonDispatcher(dir.registry).dispatch("query_rewriter", "refuse", HookArguments([], named: ["reason": "x"])) })
        guard case .failure(let error as DagstackError) = refused else { Issue.record("expected an error"); return }
        #expect(error.message == "Plugin 'sdk' failed in query_rewriter.refuse: tool 'refuse' reported an error: Error executing tool refuse: refused: x")
        let sum = try await SingletonDispatcher(dir.registry).dispatch("query_rewriter", "add", HookArguments([], named: ["a": 1, "b": 2])).reply
        #expect(sum.output == .value(["result": 3]))
        await dir.close()
    }

    @Test func aServerThatIsNotThereFailsTheSetUpNamingTheURL() async throws {
        let port = closedLocalPort()
        let tmp = Self.directory("http://127.0.0.1:\(port)/mcp")
        let dir = await PluginDirectory.load(tmp.path)
        guard case .failed(let error)? = dir.registry.record(named: "sdk")?.state else { Issue.record("expected failed"); return }
        #expect(error.message.hasPrefix("Plugin 'sdk': could not reach the MCP server at http://127.0.0.1:\(port)/mcp during the MCP initialize handshake: Failed to connect"), "\(error.message)")
        await dir.close()
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
