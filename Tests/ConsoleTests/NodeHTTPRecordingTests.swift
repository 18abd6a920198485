import Foundation
import PluginSystem
import Testing
import TestSupport

/// A TypeScript plugin calling the network through `http_client` as reference/resources-list types
/// it for TypeScript (`get(url, init?)`, `post(url, body, init?)`, a response read with `await
/// response.json()` and `headers.get`): the console makes the requests, keeps them in the recording
/// with secrets masked, and serves them from it on replay with the server stopped.
@Suite struct NodeHTTPRecordingTests {
    /// `fetcher` fetches the quote its input names (adding `suffix`) and posts its input to /echo.
    func project(suffix: String = "") -> TempDir {
        let dir = TempDir()
        dir.plugin("plugins/fetcher", name: "fetcher", kind: "text", extra: "[plugin.resources]\nrequired = [\"http_client\"]")
        dir.write("plugins/fetcher/plugin.ts", """
            import type { PluginContext } from "@dagstack/plugin-system";

            interface HttpResponse {
              status: number;
              headers: { get(name: string): string | null };
              json(): Promise<unknown>;
            }
            interface HttpClient {
              get(url: string, init?: RequestInit): Promise<HttpResponse>;
              post(url: string, body: unknown, init?: RequestInit): Promise<HttpResponse>;
            }

            export class Fetcher {
              private http!: HttpClient;

              setup(ctx: PluginContext): void {
                this.http = ctx.resources.get<HttpClient>("http_client");
              }

              async shout(value: { url: string }) {
                const quote = await this.http.get(value.url + "\(suffix)", { headers: { Authorization: "Bearer s3cret-token" } });
                const echo = await this.http.post(value.url.replace("/quote", "/echo"), { asked: value.url }, { headers: { "X-Trace": "t-1" } });
                return {
                  ...value,
                  status: quote.status,
                  type: quote.headers.get("Content-Type"),
                  fetched: await quote.json(),
                  echoed: await echo.json(),
                };
              }
            }
            """)
        return dir
    }

    @Test func aTypeScriptPluginsExchangesAreRecordedAndReplayedWithTheServerStopped() async throws {
        let server = try LocalHTTPServer()
        let dir = project()
        let url = "\(server.base)/quote"
        let trace = #"trace text.shout {"url": "\#(url)"}"#
        let recorded = try await runConsole(["plugins", "--record", "net", "--json", "-c", trace], in: dir.path)
        #expect(recorded.status == 0, "\(recorded.stdout)\(recorded.stderr)")
        // What the plugin got back: the quote, its content type, and its own input echoed as JSON.
        let result = try JSONValue.parse(recorded.stdout)
        #expect(result["output"] == [
            "url": .string(url), "status": 200, "type": "application/json",
            "fetched": ["quote": "plugins all the way down", "path": "/quote"],
            "echoed": ["content_type": "application/json", "body": .string(#"{"asked":"\#(url)"}"#)],
        ], "\(recorded.stdout)")

        let file = try String(contentsOfFile: dir.path + "/sessions/net.jsonl", encoding: .utf8)
        let lines = file.split(separator: "\n").map(String.init)
        let exchanges = try #require(try JSONValue.parse(lines[1])["http"]?.arrayValue)
        #expect(exchanges.count == 2)
        #expect(exchanges[0]["plugin"] == "fetcher")
        #expect(exchanges[0]["request"] == ["method": "GET", "url": .string(url), "headers": ["authorization": "[MASKED]"]])
        #expect(exchanges[0]["response"]?["status"] == 200)
        #expect(exchanges[0]["response"]?["headers"]?["set-cookie"] == "[MASKED]")
        #expect(exchanges[1]["request"]?["method"] == "POST")
        #expect(exchanges[1]["request"]?["url"] == .string("\(server.base)/echo"))
        #expect(exchanges[1]["request"]?["body"] == .string(#"{"asked":"\#(url)"}"#), "\(exchanges[1])")
        #expect(!file.contains("s3cret") && !file.contains("abc123"), "no secret is kept")
        await server.stop()

        // The server is gone: the replay is served from the recording.
        let replayed = try await runConsole(["--replay", "sessions/net.jsonl", "--json"], in: dir.path)
        #expect(replayed.status == 0, "\(replayed.stdout)\(replayed.stderr)")
        let report = try JSONValue.parse(replayed.stdout)
        #expect(report["same"] == 1 && report["diverged"] == 0, "\(replayed.stdout)")

        // The plugin now asks for another URL: no recorded request matches, and the network is not used.
        let changed = project(suffix: "?lang=fr")
        try FileManager.default.removeItem(atPath: dir.path + "/plugins/fetcher/plugin.ts")
        try FileManager.default.copyItem(atPath: changed.path + "/plugins/fetcher/plugin.ts", toPath: dir.path + "/plugins/fetcher/plugin.ts")
        let diverged = try await runConsole(["--replay", "sessions/net.jsonl", "--json"], in: dir.path)
        #expect(diverged.status == 1, "\(diverged.stdout)\(diverged.stderr)")
        let divergence = try JSONValue.parse(diverged.stdout)
        #expect(divergence["entries"]?[0]?["verdict"] == "diverged")
        #expect(divergence["entries"]?[0]?["http"] == [
            ["plugin": "fetcher", "method": "GET", "url": .string("\(url)?lang=fr"), "field": "url", "recorded": .string("GET \(url)")],
            ["plugin": "fetcher", "method": "GET", "url": .string(url), "field": "not made"],
            ["plugin": "fetcher", "method": "POST", "url": .string("\(server.base)/echo"), "field": "not made"],
        ], "\(diverged.stdout)")
        #expect(diverged.stdout.contains("is not in the recording, and a replay does not use the network"), "\(diverged.stdout)")
    }
}
