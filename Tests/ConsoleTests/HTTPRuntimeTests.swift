import Foundation
import PluginSystem
import Testing
import TestSupport

/// An mcp_http plugin seen through the console: its requests in the trace, its token nowhere.
@Suite struct HTTPRuntimeTests {
    static let token = "tk-console-7d41a09be3-secret"

    /// A chain of a local Python stage and a remote one, reaching `url` with the token.
    static func workspace(_ url: String) -> TempDir {
        let dir = TempDir()
        dir.pythonPlugin("plugins/lower", name: "lower", kind: "query_rewriter", priority: 10, code: """
            class Lower:
                def rewrite(self, query):
                    return {**query, "text": query["text"].lower()}
            """)
        dir.plugin("plugins/remote", name: "remote", kind: "query_rewriter", runtime: "mcp_http", extra: """
            endpoint = "\(url)"
            auth = { token = "\(token)" }
            """)
        return dir
    }

    @Test func aTraceShowsTheRequestsAndNothingShowsOrRecordsTheToken() async throws {
        let server = try await JSONRPCTestServer.start()
        let dir = Self.workspace(server.url)
        let query = #"{"text": "How to launch DAGSTAK?"}"#
        let text = try await runConsole(
            ["plugins", "--record", dir.path + "/text.jsonl", "-c", "trace query_rewriter.rewrite \(query)", "-c", "show remote",
             "-c", "call query_rewriter.leak \(query)", "-c", "plugins"],
            in: dir.path)
        let json = try await runConsole(
            ["plugins", "--json", "--record", dir.path + "/json.jsonl", "-c", "trace query_rewriter.rewrite \(query)", "-c", "show remote"],
            in: dir.path)
        #expect(text.status == 1, "the leak call fails: \(text.stderr)")
        #expect(json.status == 0, "\(json.stderr)")
        #expect(text.stdout.contains("code                  HTTP service at \(server.url), server_info {\"name\":\"test-http\",\"version\":\"1.0\"}"))
        // The remote stage's requests are in the trace, under its stage, with the header masked.
        #expect(text.stdout.contains("→ POST \(server.url) rewrite (id 2) Content-Type: application/json; Authorization: [MASKED]"), "\(text.stdout)")
        #expect(text.stdout.contains("← 200 OK ("))
        #expect(text.stdout.contains(#""text": "how to launch dagstack?""#) || text.stdout.contains(#""text":"how to launch dagstack?""#))
        #expect(text.stdout.contains("refused credentials Bearer [MASKED]"))
        // The server did get the token.
        #expect(server.requests().contains { $0["authorization"] == .string("Bearer \(Self.token)") })
        for output in [text.stdout, text.stderr, json.stdout, json.stderr] { #expect(!output.contains(Self.token)) }
        for session in ["text.jsonl", "json.jsonl"] {
            let recorded = try String(contentsOfFile: dir.path + "/" + session, encoding: .utf8)
            #expect(recorded.contains("→ POST"), "\(session) holds the requests")
            #expect(!recorded.contains(Self.token), "\(session) holds the token")
        }
        // Nor is it in the manifest as `show` prints it.
        #expect(json.stdout.contains(#""auth":"bearer token [MASKED]""#) || json.stdout.contains(#""auth": "bearer token [MASKED]""#), "\(json.stdout)")
    }
}
