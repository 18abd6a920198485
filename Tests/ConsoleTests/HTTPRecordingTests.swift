import Foundation
import PluginSystem
import Testing
import TestSupport

struct ServerError: Error, CustomStringConvertible {
    let description = "the test HTTP server did not say its port"
}

/// A local HTTP server for one test: on 127.0.0.1, a port the system chose, stopped by the test (and
/// gone with the test process: it exits when its standard input closes).
/// `GET /quote` answers `{"quote": …, "path": …}`; `POST /echo` answers what it was sent
/// (`{"content_type": …, "body": …}`); any other path is a 404.
final class LocalHTTPServer: @unchecked Sendable {
    let process = Process()
    let port: Int

    static let script = """
        import http.server, json, os, sys, threading
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if not self.path.startswith("/quote"):
                    self.send_response(404); self.end_headers(); return
                body = json.dumps({"quote": "plugins all the way down", "path": self.path}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Set-Cookie", "session=abc123")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def do_POST(self):
                if not self.path.startswith("/echo"):
                    self.send_response(404); self.end_headers(); return
                sent = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                body = json.dumps({"content_type": self.headers.get("Content-Type"), "body": sent}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 0), H)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    init() throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = Pipe()
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = [UInt8]()
        while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != 0x0A { line.append(byte) }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            throw ServerError()
        }
        self.port = port
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// SIGKILL: test runners may leave SIGTERM ignored in the processes they start.
    func stop() async {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        _ = await waitForExit(process, seconds: 5)
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// Plugins that call the network through `http_client`: their exchanges kept in the recording and
/// served from it on replay, without the network.
@Suite struct HTTPRecordingTests {
    /// `fetcher` fetches the URL its input names (adding `suffix`), with a secret header.
    func project(suffix: String = "") -> TempDir {
        let dir = TempDir()
        dir.pythonPlugin("plugins/fetcher", name: "fetcher", kind: "text", code: """
            class Fetcher:
                def setup(self, ctx):
                    self.r = ctx.resources

                async def shout(self, value):
                    response = await self.r.http_client.get(value["url"] + "\(suffix)", headers={"Authorization": "Bearer s3cret-token"})
                    return {**value, "status": response.status_code, "fetched": response.json()}
            """, extra: "[plugin.resources]\nrequired = [\"http_client\"]")
        return dir
    }

    @Test func aRecordingReplaysWithTheServerStoppedAndAChangedRequestIsADivergence() async throws {
        let server = try LocalHTTPServer()
        let dir = project()
        let trace = #"trace text.shout {"url": "\#(server.base)/quote"}"#
        let recorded = try await runConsole(["plugins", "--record", "net", "-c", trace], in: dir.path)
        #expect(recorded.status == 0, "\(recorded.stdout)\(recorded.stderr)")
        let file = try String(contentsOfFile: dir.path + "/sessions/net.jsonl", encoding: .utf8)
        let lines = file.split(separator: "\n").map(String.init)
        #expect(try JSONValue.parse(lines[0])["http"] == "replay")
        let entry = try JSONValue.parse(lines[1])
        let exchange = try #require(entry["http"]?[0])
        #expect(exchange["plugin"] == "fetcher")
        #expect(exchange["request"] == ["method": "GET", "url": .string("\(server.base)/quote"), "headers": ["authorization": "[MASKED]"]])
        #expect(exchange["response"]?["status"] == 200)
        #expect(exchange["response"]?["body"] == #"{"quote": "plugins all the way down", "path": "/quote"}"#)
        #expect(exchange["response"]?["headers"]?["set-cookie"] == "[MASKED]")
        #expect(!file.contains("s3cret") && !file.contains("abc123"), "no secret is kept")
        await server.stop()

        // The server is gone: the replay is served from the recording.
        let replayed = try await runConsole(["--replay", "sessions/net.jsonl", "--json"], in: dir.path)
        #expect(replayed.status == 0, "\(replayed.stdout)\(replayed.stderr)")
        let report = try JSONValue.parse(replayed.stdout)
        #expect(report["same"] == 1 && report["diverged"] == 0)

        // The plugin now asks for another URL: no recorded request matches, and the network is not used.
        let changed = project(suffix: "?lang=fr")
        try FileManager.default.removeItem(atPath: dir.path + "/plugins/fetcher/plugin.py")
        try FileManager.default.copyItem(atPath: changed.path + "/plugins/fetcher/plugin.py", toPath: dir.path + "/plugins/fetcher/plugin.py")
        let diverged = try await runConsole(["--replay", "sessions/net.jsonl", "--json"], in: dir.path)
        #expect(diverged.status == 1, "\(diverged.stdout)\(diverged.stderr)")
        let divergence = try JSONValue.parse(diverged.stdout)
        #expect(divergence["entries"]?[0]?["verdict"] == "diverged")
        #expect(divergence["entries"]?[0]?["http"] == [
            ["plugin": "fetcher", "method": "GET", "url": .string("\(server.base)/quote?lang=fr"), "field": "url",
             "recorded": .string("GET \(server.base)/quote")],
            ["plugin": "fetcher", "method": "GET", "url": .string("\(server.base)/quote"), "field": "not made"],
        ])
        let text = try await runConsole(["--replay", "sessions/net.jsonl"], in: dir.path)
        #expect(text.stdout.contains(
            "        http: fetcher GET \(server.base)/quote?lang=fr: not in the recording (the closest recorded request differs in its url: GET \(server.base)/quote)"),
                "\(text.stdout)")
        #expect(text.stdout.contains("        http: fetcher GET \(server.base)/quote: recorded, not requested this time"), "\(text.stdout)")
        // What the plugin saw: a connection error saying why, not a response from anywhere.
        #expect(diverged.stdout.contains("is not in the recording, and a replay does not use the network"), "\(diverged.stdout)")
    }

    @Test func liveModeSendsEveryRequestAndNewModeOnlyTheOnesTheRecordingLacks() async throws {
        let server = try LocalHTTPServer()
        let dir = project()
        let trace = #"trace text.shout {"url": "\#(server.base)/quote"}"#
        #expect(try await runConsole(["plugins", "--record", "net", "--http", "live", "-c", trace], in: dir.path).status == 0)
        #expect(try JSONValue.parse(String(try String(contentsOfFile: dir.path + "/sessions/net.jsonl", encoding: .utf8).prefix { $0 != "\n" }))["http"] == "live")
        // Live, with the server up: the same.
        #expect(try await runConsole(["--replay", "sessions/net.jsonl"], in: dir.path).status == 0)
        // A request the recording lacks goes to the network with --http new, and is no divergence
        // of the request (the answer differs: the server echoes the path).
        let changed = project(suffix: "?lang=fr")
        try FileManager.default.removeItem(atPath: dir.path + "/plugins/fetcher/plugin.py")
        try FileManager.default.copyItem(atPath: changed.path + "/plugins/fetcher/plugin.py", toPath: dir.path + "/plugins/fetcher/plugin.py")
        let new = try await runConsole(["--replay", "sessions/net.jsonl", "--http", "new", "--json"], in: dir.path)
        let report = try JSONValue.parse(new.stdout)
        #expect(report["entries"]?[0]?["first_stage"]?["diff"] == [
            ["op": "replace", "path": "/fetched/path", "value": "/quote?lang=fr", "old": "/quote"]], "\(new.stdout)")
        #expect(report["entries"]?[0]?["http"] == [["plugin": "fetcher", "method": "GET", "url": .string("\(server.base)/quote"), "field": "not made"]])
        // Accepting it keeps the new exchange: a replay offline is then the same.
        let updated = try await runConsole(["--replay", "sessions/net.jsonl", "--http", "new", "--update", "--yes"], in: dir.path)
        #expect(updated.status == 0, "\(updated.stdout)\(updated.stderr)")
        // The two recordings compared: the exchange changed with the result.
        let compared = try await consoleJSON("plugins", ["sessions diff sessions/net.jsonl.bak sessions/net.jsonl"], in: dir.path)
        let row = try #require(compared.documents.first?["rows"]?[0])
        #expect(row["verdict"] == "differs")
        #expect(row["http_diff"]?.arrayValue?.contains(
            ["op": "replace", "path": "/0/request/url", "value": .string("\(server.base)/quote?lang=fr"), "old": .string("\(server.base)/quote")]) == true,
                "\(row)")
        await server.stop()
        let offline = try await runConsole(["--replay", "sessions/net.jsonl", "--http", "replay"], in: dir.path)
        #expect(offline.status == 0, "\(offline.stdout)")
        // A mode that is not one.
        let wrong = try await runConsole(["--replay", "sessions/net.jsonl", "--http", "sometimes"], in: dir.path)
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("--http 'sometimes': the modes are replay, new, live"), "\(wrong.stderr)")
    }

    @Test func aRecordingWithoutExchangesBeforeVersion3SendsRequestsAsItDidThen() async throws {
        let server = try LocalHTTPServer()
        let dir = project()
        let trace = #"trace text.shout {"url": "\#(server.base)/quote"}"#
        #expect(try await runConsole(["plugins", "--record", "old", "-c", trace], in: dir.path).status == 0)
        // The same file as a version 2 console wrote it: no "http" in the header or the entries.
        let path = dir.path + "/sessions/old.jsonl"
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        guard case .object(var header) = try JSONValue.parse(lines[0]), case .object(var entry) = try JSONValue.parse(lines[1]) else {
            Issue.record("not objects")
            return
        }
        header["version"] = 2
        header.removeValue(forKey: "http")
        entry.removeValue(forKey: "http")
        try (JSONValue.object(header).encoded() + "\n" + JSONValue.object(entry).encoded() + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let replayed = try await runConsole(["--replay", "sessions/old.jsonl"], in: dir.path)
        #expect(replayed.status == 0, "\(replayed.stdout)")
        await server.stop()
    }
}
