import Foundation
import PluginSystem
import Testing
import TestSupport

@Suite struct SessionTests {
    static let query = #"{"text": "  How to LAUNCH dagstack?  ", "tenant_id": "acme-corp"}"#

    /// A copy of plugins/ to edit, and a place for recordings.
    func workspace() throws -> TempDir {
        let dir = TempDir()
        try FileManager.default.copyItem(atPath: packageRoot + "/plugins", toPath: dir.path + "/plugins")
        return dir
    }

    func console(_ arguments: [String], in directory: String) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await run(consoleBinary, arguments, environment: ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 },
                workingDirectory: directory)
    }

    func record(_ commands: [String], as name: String, in dir: TempDir, plugins: String = "plugins") async throws {
        let result = try await console([plugins, "--record", name] + commands.flatMap { ["-c", $0] }, in: dir.path)
        #expect(result.stderr.contains("recording to "), "\(result.stderr)")
    }

    @Test func recordThenReplayIsAllSame() async throws {
        let dir = try workspace()
        try await record(["kinds", "order query_rewriter", "trace query_rewriter.rewrite \(Self.query)", "disable synonymizer",
                    "trace query_rewriter.rewrite \(Self.query)", "show fixed", #"call chunker.chunk {"text": "x", "max_size": 0}"#],
                   as: "round", in: dir)
        let path = dir.path + "/sessions/round.jsonl"
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 8)
        let header = try JSONValue.parse(String(lines[0]))
        #expect(header["format"] == "dagstack-console-session")
        #expect(header["version"] == 5)
        #expect(header["plugins"]?.arrayValue?.count == 7)
        let entry = try JSONValue.parse(String(lines[5]))
        #expect(entry["seq"] == 5)
        #expect(entry["line"]?.stringValue == "trace query_rewriter.rewrite \(Self.query)")
        #expect(entry["state"] == ["disabled": ["synonymizer"], "priorities": [:], "resources": [:]])
        #expect(entry["result"]?["command"] == "trace")
        let replay = try await console(["--replay", "sessions/round.jsonl", "--json"], in: dir.path)
        #expect(replay.status == 0, "\(replay.stdout)")
        let report = try JSONValue.parse(replay.stdout)
        #expect(report["same"] == 7)
        #expect(report["diverged"] == 0)
        #expect(report["changed_plugins"] == [])
    }

    @Test func anEditedPluginDivergesAtTheRightCommandAndStage() async throws {
        let dir = try workspace()
        try await record(["order query_rewriter", "trace query_rewriter.rewrite \(Self.query)", #"call chunker.chunk {"text": "abc", "max_size": 2}"#],
                   as: "edit", in: dir)
        let file = dir.path + "/plugins/synonymizer/plugin.py"
        let code = try String(contentsOfFile: file, encoding: .utf8)
        try code.replacingOccurrences(of: #""launch": "start""#, with: #""launch": "begin""#).write(toFile: file, atomically: true, encoding: .utf8)
        let replay = try await console(["--replay", "sessions/edit.jsonl", "--json"], in: dir.path)
        #expect(replay.status == 1)
        let report = try JSONValue.parse(replay.stdout)
        #expect(report["entries"]?.arrayValue?.map { $0["verdict"]!.stringValue! } == ["same", "diverged", "same"])
        let diverged = try #require(report["entries"]?[1])
        #expect(diverged["first_stage"]?["plugin"] == "synonymizer")
        #expect(diverged["first_stage"]?["position"] == 4)
        #expect(diverged["first_stage"]?["diff"] == [["op": "replace", "path": "/text", "value": "how to begin dagstack?", "old": "how to start dagstack?"]])
        #expect(report["changed_plugins"] == [["plugin": "synonymizer", "change": "changed"]])
        let text = try await console(["--replay", "sessions/edit.jsonl"], in: dir.path)
        #expect(text.stdout.contains("        first difference at stage 4, synonymizer: changed → changed"))
        #expect(text.stdout.hasSuffix("2 same, 1 diverged\nto accept what happens now as the new recording: dagstack-console --replay sessions/edit.jsonl --update\n"),
                "\(text.stdout)")
    }

    @Test func killedMidRecordingTheFileReplaysUpToTheLastCompleteCommand() async throws {
        let dir = TempDir()
        let console = try PipedConsole(arguments: [packageRoot + "/Tests/Fixtures/hook-faults", "--json", "--record", dir.path + "/killed.jsonl"])
        _ = try await console.send("plugins")
        _ = try await console.send("call steady.ping 1")
        _ = try await console.send("call fault.raise_error 1")
        console.input.fileHandleForWriting.write(Data("call fault.hang 1\n".utf8))
        try await Task.sleep(for: .milliseconds(500))
        let children = descendants(of: console.process.processIdentifier)
        kill(console.process.processIdentifier, SIGKILL)
        await console.waitForExit()
        let lines = try String(contentsOfFile: dir.path + "/killed.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)  // the header and the three commands that finished
        let replay = try await self.console(["--replay", dir.path + "/killed.jsonl", "Tests/Fixtures/hook-faults", "--json"], in: packageRoot)
        #expect(replay.status == 0, "\(replay.stdout)")
        #expect(try JSONValue.parse(replay.stdout)["same"] == 3)
        let until = Date().addingTimeInterval(5)
        while Date() < until && !children.filter(processExists).isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        #expect(children.filter(processExists).isEmpty)
    }

    @Test func unusableFilesGetErrorsNamingTheLineAndExitTwo() async throws {
        let dir = TempDir()
        try await record(["kinds", "plugins", "order chunker"], as: dir.path + "/good.jsonl", in: dir, plugins: packageRoot + "/plugins")
        let good = try String(contentsOfFile: dir.path + "/good.jsonl", encoding: .utf8)
        let lines = good.split(separator: "\n").map(String.init)
        dir.write("future.jsonl", #"{"format":"dagstack-console-session","version":6}"# + "\n")
        dir.write("other.jsonl", "{\"hello\": 1}\n")
        dir.write("empty.jsonl", "")
        dir.write("corrupt.jsonl", ([lines[0], lines[1], "{\"seq\": 2, \"li"] + lines[3...]).joined(separator: "\n") + "\n")
        dir.write("fieldless.jsonl", ([lines[0], #"{"seq": 1}"#]).joined(separator: "\n") + "\n")
        let cases: [(String, String)] = [
            ("future.jsonl", "future.jsonl:1: session format version 6 is newer than this console reads (5); update dagstack-console"),
            ("other.jsonl", #"other.jsonl:1: not a dagstack console session (the first line must be a header with "format": "dagstack-console-session")"#),
            ("empty.jsonl", "empty.jsonl is empty: not a dagstack console session"),
            ("corrupt.jsonl", "corrupt.jsonl:3: corrupt entry: unterminated string at line 1, column 12"),
            ("fieldless.jsonl", "fieldless.jsonl:2: corrupt entry: missing line, result"),
            ("absent.jsonl", "absent.jsonl does not exist"),
        ]
        for (name, message) in cases {
            let result = try await console(["--replay", dir.path + "/" + name, packageRoot + "/plugins"], in: dir.path)
            #expect(result.status == 2, "\(name)")
            #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
        }
        // A line torn by a kill is reported and left out; the rest replays.
        dir.write("torn.jsonl", lines[0...2].joined(separator: "\n") + "\n" + String(lines[3].prefix(40)))
        let torn = try await console(["--replay", dir.path + "/torn.jsonl", packageRoot + "/plugins", "--json"], in: dir.path)
        #expect(torn.status == 0)
        let report = try JSONValue.parse(torn.stdout)
        #expect(report["same"] == 2)
        #expect(report["warnings"] == [.string("\(dir.path)/torn.jsonl:4: the last line is incomplete (the recording was interrupted); it is ignored")])
        // In the console, a bad file is an error and the console carries on.
        let inConsole = try await console(["plugins", "-c", "replay \(dir.path)/future.jsonl", "-c", "kinds"], in: packageRoot)
        #expect(inConsole.status == 1)
        #expect(inConsole.stdout.contains("error: \(dir.path)/future.jsonl:1: session format version 6 is newer"))
        #expect(inConsole.stdout.contains("query_rewriter  5 plugins"))
    }

    @Test func theShippedSessionsReplayAsDocumented() async throws {
        // They were recorded at format version 3, before version 4 changed the shape of some results
        // (docs/sessions.md): they replay clean all the same, compared in the shape they were recorded in.
        for shipped in ["sessions/tour.jsonl", "sessions/chunker.jsonl", "sessions/divergent/variant-chain.jsonl"] {
            let text = try String(contentsOfFile: packageRoot + "/" + shipped, encoding: .utf8)
            #expect(try JSONValue.parse(String(text.prefix { $0 != "\n" }))["version"] == 3, "\(shipped)")
        }
        for clean in ["sessions/tour.jsonl", "sessions/chunker.jsonl"] {
            let result = try await console(["--replay", clean, "plugins", "--json"], in: packageRoot)
            let report = try JSONValue.parse(result.stdout)
            #expect(result.status == 0, "\(clean) diverged: \(result.stdout.prefix(2000))")
            #expect(report["diverged"] == 0 && (report["same"]?.intValue ?? 0) >= 5)
        }
        let divergent = try await console(["--replay", "sessions/divergent/variant-chain.jsonl", "plugins", "--json"], in: packageRoot)
        #expect(divergent.status == 1)
        let report = try JSONValue.parse(divergent.stdout)
        #expect(report["entries"]?[1]?["first_stage"]?["position"] == 1)
        #expect(report["entries"]?[1]?["first_stage"]?["plugin"] == "normalizer")
        #expect(report["entries"]?[1]?["first_stage"]?["recorded_plugin"] == "lowercase")
        // Against the plugins it was recorded with, it is the same.
        #expect(try await console(["--replay", "sessions/divergent/variant-chain.jsonl"], in: packageRoot).status == 0)
    }

    @Test func replayStepWalksOneCommandAtATime() async throws {
        let script = "replay sessions/tour.jsonl --step\nshow\nnext\nnext\ndiff\nabort\nkinds\n"
        let result = try await run(consoleBinary, ["plugins", "--json"], stdin: script, environment: ProcessInfo.processInfo.environment,
                             workingDirectory: packageRoot)
        let docs = try result.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(docs.map { $0["command"]!.stringValue! } == ["replay", "show", "next", "next", "diff", "abort", "kinds"])
        #expect(docs[0]["next"] == 1 && docs[0]["of"] == 12)
        #expect(docs[1]["recorded"]?["line"] == "kinds")
        #expect(docs[2]["entries"]?[0]?["verdict"] == "same")
        #expect(docs[3]["entries"]?[0]?["line"] == "order query_rewriter.rewrite")
        #expect(docs[5]["same"] == 2)
        #expect(docs[5]["finished"] == false)
        #expect(docs[6]["kinds"] != nil)
    }

    @Test func sessionsListsRecordingsAndRecordNeverOverwrites() async throws {
        let dir = try workspace()
        try await record(["kinds"], as: "first", in: dir)
        dir.write("sessions/broken.jsonl", "nope\n")
        let listed = try await console(["plugins", "--json", "-c", "sessions", "-c", "record first", "-c", "record", "-c", "record stop"], in: dir.path)
        let docs = try listed.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        let rows = try #require(docs[0]["sessions"]?.arrayValue)
        #expect(rows.map { $0["file"]!.stringValue! } == ["sessions/broken.jsonl", "sessions/first.jsonl"])
        #expect(rows[1]["commands"] == 1)
        #expect(rows[1]["plugin_dir"] == "plugins")
        #expect(rows[0]["error"]?.stringValue?.hasPrefix("sessions/broken.jsonl:1: not a dagstack console session") == true)
        #expect(docs[1]["error"]?["message"] == "sessions/first.jsonl already exists; choose another name or remove it")
        #expect(docs[2]["recording"] == false)
        #expect(docs[3]["error"]?["message"] == "not recording")
    }

    /// An updated recording is labelled with when it was updated as well as recorded; one command is
    /// "1 command".
    @Test func anUpdatedRecordingSaysWhenItWasUpdated() async throws {
        let dir = TempDir()
        func plugin(_ suffix: String) {
            dir.pythonPlugin("plugins/a", name: "a", kind: "k", code: "class A:\n    def f(self, m):\n        return m + \"\(suffix)\"\n")
        }
        plugin("1")
        _ = try await console(["plugins", "--record", "u", "-c", #"trace k.f "x""#], in: dir.path)
        plugin("2")
        let update = try await console(["--replay", "sessions/u.jsonl", "--update", "--yes"], in: dir.path)
        #expect(update.status == 0, "\(update.stdout)\(update.stderr)")
        let header = try JSONValue.parse(String(try String(contentsOfFile: dir.path + "/sessions/u.jsonl", encoding: .utf8).split(separator: "\n")[0]))
        let created = try #require(header["created"]?.stringValue), updated = try #require(header["updated"]?.stringValue)
        let diff = try await console(["plugins", "-c", "sessions diff sessions/u.jsonl.bak sessions/u.jsonl", "-c", "sessions"], in: dir.path)
        #expect(diff.stdout.contains("  A sessions/u.jsonl.bak: 1 command recorded \(created) on plugins\n"), "\(diff.stdout)")
        #expect(diff.stdout.contains("  B sessions/u.jsonl: 1 command recorded \(created), updated \(updated), on plugins\n"), "\(diff.stdout)")
        #expect(diff.stdout.split(separator: "\n").contains { $0.contains("u.jsonl ") && $0.contains(" 1 command ") }, "\(diff.stdout)")
        let json = try await console(["plugins", "--json", "-c", "sessions diff sessions/u.jsonl.bak sessions/u.jsonl"], in: dir.path)
        let document = try JSONValue.parse(json.stdout.trimmingCharacters(in: .newlines))
        #expect(document["b"]?["updated"] == .string(updated))
        #expect(document["a"]?["updated"] == nil)
    }
}
