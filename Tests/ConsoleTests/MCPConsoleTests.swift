import Foundation
import PluginSystem
import Testing
import TestSupport

/// An MCP server written with the official SDK, as one stage of a chain in the console.
@Suite(.serialized) struct MCPConsoleTests {
    /// A chain: a local Python stage (priority 10) then the MCP server's `normalize_query` tool.
    static func workspace(marker: String) throws -> TempDir {
        let python = try mcpPython()
        let dir = TempDir()
        dir.pythonPlugin("plugins/tag", name: "tag", kind: "query_rewriter", priority: 10, code: """
            class Tag:
                def rewrite(self, query):
                    return {**query, "tagged": True}
            """)
        dir.plugin("plugins/sdk", name: "sdk", kind: "query_rewriter", runtime: "mcp_stdio", extra: """
            protocol = "mcp"
            command = ["\(python)", "\(mcpServers)/sdk_server.py", "\(marker)"]
            [plugin.tools]
            rewrite = "normalize_query"
            """)
        return dir
    }

    @Test func aTraceShowsTheToolsStageWithItsLogAndShowGivesTheSchemas() async throws {
        let marker = uniqueSleepMarker()
        defer { killProcesses(matching: marker) }
        let dir = try Self.workspace(marker: marker)
        let result = try await runConsole(
            ["plugins", "-c", #"trace query_rewriter.rewrite {"text": "  How To LAUNCH  "}"#, "-c", "show sdk"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let stage = try #require(lines.firstIndex { $0.hasPrefix("  2  sdk ") }, "\(result.stdout)")
        #expect(lines[stage + 1] == #"       ~ /text  "  How To LAUNCH  " → "how to launch""#)
        #expect(lines[stage + 3] == "       log info │ normalizing 17 characters", "\(result.stdout)")
        #expect(lines.contains(#"  output {"text":"how to launch","tagged":true}"#))
        #expect(lines.contains { $0 == "  tool rewrite          (tool normalize_query) Lower-cases and trims the query's text." })
        #expect(lines.contains(#"    inputSchema         {"properties":{"query":{"additionalProperties":true,"title":"Query","type":"object"}},"required":["query"],"type":"object","title":"normalize_queryArguments"}"#))
        #expect(await survivors(matching: marker).isEmpty)
    }

    @Test func theShippedExampleChainReplaysItsRecordedSession() async throws {
        let result = try await runConsole(["--replay", "sessions/mcp-chain.jsonl", "examples/mcp-chain", "--json"], in: packageRoot)
        #expect(result.status == 0, "\(result.stdout.prefix(2000))\(result.stderr)")
        let report = try JSONValue.parse(result.stdout)
        #expect(report["diverged"] == 0 && report["same"] == 3, "\(result.stdout.prefix(2000))")
        let recorded = try String(contentsOfFile: packageRoot + "/sessions/mcp-chain.jsonl", encoding: .utf8)
        #expect(recorded.contains("fixed 2 word(s)"), "the MCP server's log is recorded beside its stage")
        #expect(recorded.contains(#"how to launch dagstack?"#))
    }

    @Test func ctrlDAtThePromptLeavesNoServerRunning() async throws {
        let marker = uniqueSleepMarker()
        defer { killProcesses(matching: marker) }
        let dir = try Self.workspace(marker: marker)
        let terminal = try TerminalSession(arguments: ["plugins"], directory: dir.path)
        #expect(await terminal.waitForPrompt(seconds: 30))
        #expect(processes(matching: marker).count == 1, "the server runs while the console does")
        await terminal.type("call query_rewriter.shout \"hi\"\r")
        #expect(await terminal.waitFor(#""result": "HI""#) || terminal.raw.contains(#""result":"HI""#), "\(terminal.raw)")
        await terminal.typeBytes([4])
        #expect(await terminal.waitForExit(seconds: 20) == 0)
        let left = await survivors(matching: marker)
        #expect(left.isEmpty, "left behind: \(left)")
    }
}
