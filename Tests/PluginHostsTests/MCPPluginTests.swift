import Foundation
import PluginHosts
import PluginSystem
import Testing
import TestSupport

/// `protocol = "mcp"` over stdio: a server written with the official MCP SDK as plugin `sdk` of kind
/// `query_rewriter`, its `normalize_query` tool serving the `rewrite` hook.
@Suite(.serialized) struct MCPPluginTests {
    static func directory(tools: String = #"rewrite = "normalize_query""#, server: String = "sdk_server.py", marker: String = "") throws -> TempDir {
        let python = server == "sdk_server.py" ? try mcpPython() : "python3"
        let dir = TempDir()
        dir.plugin("sdk", name: "sdk", kind: "query_rewriter", runtime: "mcp_stdio", extra: """
            protocol = "mcp"
            command = ["\(python)", "\(mcpServers)/\(server)"\(marker.isEmpty ? "" : ", \"\(marker)\"")]
            [plugin.tools]
            \(tools)
            """)
        return dir
    }

    static func load(_ dir: TempDir, callTimeout: Double = 20) async -> PluginDirectory {
        var options = PluginDirectory.Options()
        options.callTimeout = callTimeout
        return await PluginDirectory.load(dir.path, options: options)
    }

    static func call(_ dir: PluginDirectory, _ hook: String, _ arguments: HookArguments) async -> Result<HookReply, DagstackError> {
        do { return .success(try await SingletonDispatcher(dir.registry).dispatch("query_rewriter", hook, arguments).reply) } catch {
            return .failure(error)
        }
    }

    static func plugin(_ dir: PluginDirectory) -> MCPPlugin? { dir.registry.record(named: "sdk")?.instance as? MCPPlugin }

    @Test func theHandshakeListsEachToolAsAHook() async throws {
        let tmp = try Self.directory()
        let dir = await Self.load(tmp)
        #expect(dir.registry.record(named: "sdk")?.state == .active)
        let plugin = try #require(Self.plugin(dir))
        #expect(plugin.serverInfo?["name"] == "sdk-test-server")
        #expect(plugin.negotiatedVersion == MCPPlugin.protocolVersion)
        // normalize_query serves `rewrite` only; the other tools keep their names.
        #expect(plugin.hookNames == ["add", "crash", "refuse", "rewrite", "shout"])
        #expect(plugin.tools.first { $0.hook == "rewrite" }?.tool.inputSchema["required"] == ["query"])
        #expect(plugin.tools.first { $0.hook == "add" }?.tool.outputSchema?["required"] == ["result"])
        await dir.close()
    }

    @Test func aChainStageValueGoesToTheToolsRequiredParameterAndItsLogComesBack() async throws {
        let tmp = try Self.directory()
        let dir = await Self.load(tmp)
        let outcome = try await ChainDispatcher(dir.registry).dispatch("query_rewriter", "rewrite", initial: ["text": "  How To LAUNCH  ", "lang": "en"])
        #expect(outcome.value == ["text": "how to launch", "lang": "en"])
        let reply = try await Self.call(dir, "rewrite", HookArguments([["text": " X "]])).get()
        #expect(reply.output == .value(["text": "x"]))
        #expect(reply.logs.contains(PluginLog(stream: "log", level: "INFO", text: "normalizing 3 characters")), "\(reply.logs)")
        await dir.close()
    }

    @Test func namedArgumentsAreTheToolsArgumentsAndStructuredContentIsTheValue() async throws {
        let tmp = try Self.directory()
        let dir = await Self.load(tmp)
        #expect(try await Self.call(dir, "add", HookArguments([], named: ["a": 2, "b": 3])).get().output == .value(["result": 5]))
        #expect(try await Self.call(dir, "shout", HookArguments(["hi"])).get().output == .value(["result": "HI"]))
        await dir.close()
    }

    @Test func aToolErrorIsTheCallsErrorWithTheServersMessage() async throws {
        let tmp = try Self.directory()
        let dir = await Self.load(tmp)
        let error = try #require(await Self.call(dir, "refuse", HookArguments([], named: ["reason": "quota"])).failure)
        #expect(error.code == .pluginError)
        #expect(error.message == "Plugin 'sdk' failed in query_rewriter.refuse: tool 'refuse' reported an error: Error executing tool refuse: refused: quota")
        #expect(dir.registry.record(named: "sdk")?.state == .active)
        #expect(try await Self.call(dir, "shout", HookArguments(["ok"])).get().output == .value(["result": "OK"]))
        await dir.close()
    }

    @Test func argumentsThatBreakTheInputSchemaAreRefusedBeforeTheCall() async throws {
        let tmp = try Self.directory()
        let dir = await Self.load(tmp)
        let error = try #require(await Self.call(dir, "add", HookArguments([], named: ["a": "two", "b": 3])).failure)
        #expect(error.code == .dispatchMismatch)
        #expect(error.message.hasPrefix("Plugin 'sdk': the arguments of query_rewriter.add break tool 'add''s inputSchema: "), "\(error.message)")
        #expect(error.message.contains("/a"))
        let positional = try #require(await Self.call(dir, "add", HookArguments([1])).failure)
        #expect(positional.message == "Plugin 'sdk' cannot call query_rewriter.add: tool 'add' has parameters a, b: a positional value cannot be given to one of them; pass them by name")
        await dir.close()
    }

    @Test func aServerThatExitsMidCallIsACrashAndLeavesNoProcess() async throws {
        let tmp = try Self.directory()
        let dir = await Self.load(tmp)
        let pid = try #require(Self.plugin(dir)?.pid)
        let error = try #require(await Self.call(dir, "crash", HookArguments([["text": "x"]])).failure)
        #expect(error.code == .pluginCrashed)
        #expect(error.message.hasPrefix("Plugin 'sdk' process exited with status 3 during query_rewriter.crash"), "\(error.message)")
        #expect(error.message.contains("crashing on purpose"))
        #expect(dir.registry.record(named: "sdk")?.state.name == "failed")
        #expect(!processExists(pid))
        await dir.close()
    }

    @Test func teardownEndsTheServer() async throws {
        let tmp = try Self.directory()
        let dir = await Self.load(tmp)
        let pid = try #require(Self.plugin(dir)?.pid)
        #expect(processExists(pid))
        await dir.close()
        #expect(!processExists(pid))
    }

    @Test func aMappingToAToolTheServerDoesNotListFailsTheSetUpNamingItsTools() async throws {
        let tmp = try Self.directory(tools: #"rewrite = "normalise_query""#)
        let dir = await Self.load(tmp)
        guard case .failed(let error)? = dir.registry.record(named: "sdk")?.state else { Issue.record("expected failed"); return }
        #expect(error.message == "Plugin 'sdk': [plugin.tools] maps hook 'rewrite' to tool 'normalise_query', which the server does not list; its tools: add, crash, normalize_query, refuse, shout")
        await dir.close()
    }

    @Test func aJSONRPCErrorIsTheCallsErrorAndToolsAreListedAcrossPages() async throws {
        let tmp = try Self.directory(tools: "", server: "raw_mcp_server.py")
        let dir = await Self.load(tmp)
        #expect(Self.plugin(dir)?.hookNames == ["echo", "explode"])
        let error = try #require(await Self.call(dir, "explode", HookArguments([["text": "x"]])).failure)
        #expect(error.code == .pluginError)
        #expect(error.message == "Plugin 'sdk' failed in query_rewriter.explode: database is down")
        #expect(dir.registry.record(named: "sdk")?.state == .active)
        // Text content that is JSON is decoded.
        #expect(try await Self.call(dir, "echo", HookArguments([["k": 1]])).get().output == .value(["value": ["k": 1]]))
        await dir.close()
    }
}
