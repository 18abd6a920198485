import Foundation
import PluginSystem
import Testing
import TestSupport

/// Recordings as regression suites: ignore rules, accepting new behaviour with `--update`, and
/// `sessions diff`.
@Suite struct RegressionSuiteTests {
    static let query = #"{"text": "  How to LAUNCH dagstack?  ", "tenant_id": "acme-corp"}"#

    /// A chain `text.shout`: `tagger` (when `random`) puts a fresh id in the value, then `suffix` adds "!".
    func project(random: Bool) -> TempDir {
        let dir = TempDir()
        if random {
            dir.pythonPlugin("plugins/tagger", name: "tagger", kind: "text", priority: 20, code: """
                import uuid

                class Tagger:
                    def shout(self, value):
                        return {**value, "request_id": uuid.uuid4().hex}
                """)
        }
        dir.pythonPlugin("plugins/suffix", name: "suffix", kind: "text", priority: 10, code: """
            class Suffix:
                def shout(self, value):
                    return {**value, "text": value["text"] + "!"}
            """)
        return dir
    }

    /// Makes `suffix` add "?" to "b" (and "!" to everything else).
    func editSuffix(_ dir: TempDir, to mark: String = "?") {
        dir.write("plugins/suffix/plugin.py", """
            class Suffix:
                def shout(self, value):
                    return {**value, "text": value["text"] + ("\(mark)" if value["text"] == "b" else "!")}
            """)
    }

    func record(_ dir: TempDir, _ name: String, _ commands: [String], extra: [String] = []) async throws {
        let result = try await runConsole(["plugins", "--record", name] + extra + commands.flatMap { ["-c", $0] }, in: dir.path)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    func replayJSON(_ dir: TempDir, _ arguments: [String], environment: [String: String] = [:]) async throws -> (Int32, JSONValue, String) {
        let result = try await runConsole(["--replay"] + arguments + ["--json"], in: dir.path, environment: environment)
        return (result.status, (try? JSONValue.parse(result.stdout)) ?? .null, result.stdout + result.stderr)
    }

    static let traces = [#"trace text.shout {"text": "a"}"#, #"trace text.shout {"text": "b"}"#, "kinds"]

    @Test func anIgnoreRuleLeavesOutARandomIdAndTheReportCountsIt() async throws {
        let dir = project(random: true)
        try await record(dir, "r", Self.traces)
        // Without a rule the random id diverges, at the stage that made it.
        var (status, report, output) = try await replayJSON(dir, ["sessions/r.jsonl"])
        #expect(status == 1, "\(output)")
        #expect(report["entries"]?.arrayValue?.map { $0["verdict"]!.stringValue! } == ["diverged", "diverged", "same"])
        #expect(report["entries"]?[0]?["first_stage"]?["plugin"] == "tagger")
        #expect(report["entries"]?[0]?["first_stage"]?["position"] == 1)
        #expect(report["entries"]?[0]?["first_stage"]?["diff"]?.arrayValue?.map { $0["path"]!.stringValue! } == ["/request_id"])
        #expect(report["ignored"] == 0)
        // The rule on the stage's value covers it wherever the trace shows it (later stages, diffs, output).
        (status, report, output) = try await replayJSON(dir, ["sessions/r.jsonl", "--ignore", "/stages/*/after/request_id"])
        #expect(status == 0, "\(output)")
        #expect(report["same"] == 3 && report["diverged"] == 0)
        #expect(report["ignored"] == 2)
        #expect(report["ignore"] == ["/stages/*/after/request_id"])
        let text = try await runConsole(["--replay", "sessions/r.jsonl", "--ignore", "/stages/*/after/request_id"], in: dir.path)
        #expect(text.stdout.hasSuffix("3 same, 0 diverged, 2 differences ignored (/stages/*/after/request_id)\n"), "\(text.stdout)")
        // A rule on the output alone does not hide the stage that differs.
        (status, report, output) = try await replayJSON(dir, ["sessions/r.jsonl", "--ignore", "/output/request_id"])
        #expect(status == 1, "\(output)")
        #expect(report["ignored"] == 2)
        #expect(report["entries"]?[0]?["first_stage"]?["plugin"] == "tagger")
        // A real change is still found under the rule.
        editSuffix(dir)
        (status, report, output) = try await replayJSON(dir, ["sessions/r.jsonl", "--ignore", "/stages/*/after/request_id"])
        #expect(status == 1, "\(output)")
        #expect(report["entries"]?.arrayValue?.map { $0["verdict"]!.stringValue! } == ["same", "diverged", "same"])
        #expect(report["entries"]?[1]?["first_stage"]?["plugin"] == "suffix")
        #expect(report["entries"]?[1]?["first_stage"]?["diff"] == [["op": "replace", "path": "/text", "value": "b?", "old": "b!"]])
        #expect(report["entries"]?[1]?["ignored"] == 1)
    }

    @Test func aRuleKeptInTheRecordingAppliesToEveryReplay() async throws {
        let dir = project(random: true)
        try await record(dir, "kept", Self.traces, extra: ["--ignore", "/stages/*/after/request_id"])
        let header = try JSONValue.parse(String(try String(contentsOfFile: dir.path + "/sessions/kept.jsonl", encoding: .utf8).prefix { $0 != "\n" }))
        #expect(header["ignore"] == ["/stages/*/after/request_id"])
        let (status, report, output) = try await replayJSON(dir, ["sessions/kept.jsonl"])
        #expect(status == 0, "\(output)")
        #expect(report["ignored"] == 2)
        // In the console too, and `record --ignore` there.
        let inConsole = try await consoleJSON("plugins", ["record again --ignore /stages/*/after/request_id", Self.traces[0], "record stop", "replay again"],
                                              in: dir.path)
        #expect(inConsole.documents[0]["ignore"] == ["/stages/*/after/request_id"], "\(inConsole.documents)")
        #expect(inConsole.documents[3]["same"] == 1 && inConsole.documents[3]["diverged"] == 0, "\(inConsole.documents[3])")
    }

    /// A process id is the run's, never compared; a temporary folder a plugin makes is its own
    /// choice, part of what it returns: a new one each run diverges until an ignore rule names it.
    @Test func processIdsAreNeverComparedAndAPluginsTemporaryFolderIsUnlessIgnored() async throws {
        let dir = TempDir()
        dir.pythonPlugin("plugins/scratch", name: "scratch", kind: "text", code: """
            import os
            import tempfile

            class Scratch:
                def shout(self, value):
                    folder = tempfile.mkdtemp()
                    return {**value, "scratch": folder + "/out.txt", "pid": os.getpid()}
            """)
        try await record(dir, "t", [#"trace text.shout {"text": "a"}"#])
        let recorded = try String(contentsOfFile: dir.path + "/sessions/t.jsonl", encoding: .utf8)
        #expect(recorded.contains(#""scratch":"/tmp/"#), "the recording holds the real path: \(recorded)")
        let (status, report, output) = try await replayJSON(dir, ["sessions/t.jsonl"])
        #expect(status == 1, "\(output)")
        #expect(report["entries"]?[0]?["first_stage"]?["diff"]?.arrayValue?.map { $0["path"] } == ["/scratch"], "\(report)")
        let (ignoredStatus, ignored, ignoredOutput) = try await replayJSON(dir, ["sessions/t.jsonl", "--ignore", "/stages/*/after/scratch"])
        #expect(ignoredStatus == 0, "\(ignoredOutput)")
        #expect(ignored["same"] == 1 && ignored["ignored"] == 1)
    }

    @Test func aPointerThatIsNotOneIsRefusedSayingWhy() async throws {
        let dir = project(random: false)
        try await record(dir, "p", ["kinds"])
        for (pointer, why) in [("stages/0", "a JSON Pointer starts with /"), ("/a~2b", "'~2' is not an escape of a JSON Pointer")] {
            let result = try await runConsole(["--replay", "sessions/p.jsonl", "--ignore", pointer], in: dir.path)
            #expect(result.status == 2)
            #expect(result.stderr.contains("--ignore '\(pointer)': \(why)"), "\(result.stderr)")
        }
        let recorded = try await runConsole(["plugins", "--record", "q", "--ignore", "nope", "-c", "kinds"], in: dir.path)
        #expect(recorded.status == 2)
        #expect(recorded.stderr.contains("--ignore 'nope': a JSON Pointer starts with /"), "\(recorded.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/sessions/q.jsonl"))
    }

    func lines(_ path: String) throws -> [Substring] {
        let data = try #require(FileManager.default.contents(atPath: path))
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    }

    @Test func updateRewritesOnlyTheDivergingEntryAndKeepsABackup() async throws {
        let dir = project(random: false)
        try await record(dir, "u", Self.traces)
        let file = dir.path + "/sessions/u.jsonl"
        let original = try #require(FileManager.default.contents(atPath: file))
        editSuffix(dir)
        // A diverging replay ends with the command that accepts it.
        let plain = try await runConsole(["--replay", "sessions/u.jsonl"], in: dir.path)
        #expect(plain.status == 1)
        #expect(plain.stdout.hasSuffix("to accept what happens now as the new recording: dagstack-console --replay sessions/u.jsonl --update\n"),
                "\(plain.stdout)")
        // CI=true: --yes says so.
        let updated = try await runConsole(["--replay", "sessions/u.jsonl", "--update", "--yes"], in: dir.path, environment: ["CI": "true"])
        #expect(updated.status == 0, "\(updated.stdout)\(updated.stderr)")
        #expect(updated.stdout.contains(#"         ~ /text  "b!" → "b?""#), "each difference is printed before it is accepted: \(updated.stdout)")
        #expect(updated.stdout.contains("updated 1 entry of sessions/u.jsonl (seq 2); the old file is sessions/u.jsonl.bak"), "\(updated.stdout)")
        #expect(FileManager.default.contents(atPath: file + ".bak") == original)
        let before = String(decoding: original, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let after = try lines(file)
        #expect(after.count == before.count)
        #expect(after[1] == before[1] && after[3] == before[3], "the entries that did not diverge are byte-identical")
        #expect(after[2] != before[2])
        let entry = try JSONValue.parse(String(after[2]))
        #expect(entry["seq"] == 2 && entry["line"] == .string(Self.traces[1]))
        #expect(entry["result"]?["output"] == ["text": "b?"])
        let header = try JSONValue.parse(String(after[0]))
        #expect(header["version"] == 5 && header["updated"]?.stringValue != nil)
        #expect(header["created"] == (try JSONValue.parse(String(before[0])))["created"])
        // What it now holds replays the same, and names no plugin as changed.
        let (status, report, output) = try await replayJSON(dir, ["sessions/u.jsonl"])
        #expect(status == 0, "\(output)")
        #expect(report["changed_plugins"] == [])
        // A second update never overwrites the first backup.
        editSuffix(dir, to: "?!")
        let again = try await runConsole(["--replay", "sessions/u.jsonl", "--update", "--yes"], in: dir.path)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(FileManager.default.contents(atPath: file + ".bak") == original)
        #expect(FileManager.default.fileExists(atPath: file + ".bak.2"))
    }

    @Test func updateRefusesInCIUnlessYes() async throws {
        let dir = project(random: false)
        try await record(dir, "ci", Self.traces)
        let file = dir.path + "/sessions/ci.jsonl"
        let original = try #require(FileManager.default.contents(atPath: file))
        editSuffix(dir)
        // No terminal.
        let piped = try await runConsole(["--replay", "sessions/ci.jsonl", "--update"], in: dir.path, environment: ["CI": ""])
        #expect(piped.status == 2)
        #expect(piped.stderr.contains(
            "refusing to update sessions/ci.jsonl: standard input is not a terminal; run it where you can see the differences, or add --yes to update anyway"),
                "\(piped.stderr)")
        // In the console, from a script.
        let scripted = try await runConsole(["plugins", "-c", "replay ci --update"], in: dir.path, environment: ["CI": ""])
        #expect(scripted.status == 1)
        #expect(scripted.stdout.contains("error: refusing to update sessions/ci.jsonl: standard input is not a terminal"), "\(scripted.stdout)")
        // At a terminal with CI set.
        let ci = try TerminalSession(arguments: ["--replay", "sessions/ci.jsonl", "--update"], environment: ["CI": "true"], directory: dir.path)
        #expect(await ci.waitForExit() == 2)
        #expect(ci.lines.joined(separator: "\n").contains("refusing to update sessions/ci.jsonl: CI is set (CI=true)"), "\(ci.lines)")
        #expect(FileManager.default.contents(atPath: file) == original)
        #expect(!FileManager.default.fileExists(atPath: file + ".bak"))
        // At a terminal outside CI it updates.
        let person = try TerminalSession(arguments: ["--replay", "sessions/ci.jsonl", "--update"], environment: ["CI": ""], directory: dir.path)
        #expect(await person.waitForExit() == 0)
        #expect(person.lines.joined(separator: "\n").contains("updated 1 entry of sessions/ci.jsonl (seq 2)"), "\(person.lines)")
        #expect(FileManager.default.contents(atPath: file + ".bak") == original)
    }

    func recordSeedCommands(_ plugins: String, into file: String, _ commands: [String]) async throws {
        let result = try await runConsole([plugins, "--record", file] + commands.flatMap { ["-c", $0] }, in: packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func sessionsDiffComparesTheSameCommandsOnTwoPluginDirectories() async throws {
        let dir = TempDir()
        let commands = ["order query_rewriter", "trace query_rewriter.rewrite \(Self.query)"]
        try await recordSeedCommands("plugins", into: dir.path + "/seed.jsonl", commands)
        try await recordSeedCommands("Tests/Fixtures/variant-plugins", into: dir.path + "/variant.jsonl", commands)
        let (status, docs, stderr) = try await consoleJSON("plugins", ["sessions diff \(dir.path)/seed.jsonl \(dir.path)/variant.jsonl"], in: packageRoot)
        #expect(status == 1, "\(stderr)")
        let diff = try #require(docs.first)
        #expect(diff["command"] == "sessions")
        #expect(diff["rows"]?.arrayValue?.map { $0["verdict"]!.stringValue! } == ["differs", "differs"])
        #expect(diff["rows"]?[0]?["diff"]?.arrayValue?.contains(["op": "replace", "path": "/order/0/plugin", "value": "lowercase", "old": "normalizer"]) == true)
        let trace = try #require(diff["rows"]?[1])
        #expect(trace["a_seq"] == 2 && trace["b_seq"] == 2)
        #expect(trace["first_stage"]?["position"] == 1)
        #expect(trace["first_stage"]?["plugin"] == "lowercase")
        #expect(trace["first_stage"]?["recorded_plugin"] == "normalizer")
        #expect(trace["first_stage"]?["diff"] == [["op": "replace", "path": "/text", "value": "  how to launch dagstack?  ", "old": "how to launch dagstack?"]])
        #expect(diff["plugins"]?.arrayValue?.contains(["plugin": "lowercase", "change": "added"]) == true)
        #expect(diff["plugins"]?.arrayValue?.contains(["plugin": "normalizer", "change": "removed"]) == true)
        #expect(diff["same"] == 0 && diff["differ"] == 2)
        let text = try await runConsole(["plugins", "-c", "sessions diff \(dir.path)/seed.jsonl \(dir.path)/variant.jsonl"], in: packageRoot)
        #expect(text.stdout.contains("        first difference at stage 1, lowercase (A: normalizer): changed → changed"), "\(text.stdout)")
        #expect(text.stdout.contains(#"         ~ /text  "how to launch dagstack?" → "  how to launch dagstack?  ""#), "\(text.stdout)")
        #expect(text.stdout.hasSuffix("0 same, 2 differ, 0 only in A, 0 only in B\n"), "\(text.stdout)")
        // The same commands on the same plugins, recorded twice: the same, durations and pids aside.
        try await recordSeedCommands("plugins", into: dir.path + "/seed-again.jsonl", commands)
        let same = try await runConsole(["plugins", "-c", "sessions diff \(dir.path)/seed.jsonl \(dir.path)/seed-again.jsonl"], in: packageRoot)
        #expect(same.status == 0, "\(same.stdout)")
        #expect(same.stdout.hasSuffix("2 same, 0 differ, 0 only in A, 0 only in B\n"), "\(same.stdout)")
    }

    @Test func sessionsDiffAlignsRecordingsThatRanDifferentCommands() async throws {
        let dir = TempDir()
        try await recordSeedCommands("plugins", into: dir.path + "/a.jsonl", ["kinds", "order chunker", "plugins chunker"])
        try await recordSeedCommands("plugins", into: dir.path + "/b.jsonl", ["order chunker", "plugins chunker", "order query_rewriter"])
        let (status, docs, _) = try await consoleJSON("plugins", ["sessions diff \(dir.path)/a.jsonl \(dir.path)/b.jsonl"], in: packageRoot)
        #expect(status == 1)
        let rows = try #require(docs.first?["rows"]?.arrayValue)
        #expect(rows.map { $0["verdict"]!.stringValue! } == ["only_in_a", "same", "same", "only_in_b"])
        #expect(rows.map { $0["line"]!.stringValue! } == ["kinds", "order chunker", "plugins chunker", "order query_rewriter"])
        #expect(rows.map { $0["a_seq"]! } == [1, 2, 3, .null])
        #expect(rows.map { $0["b_seq"]! } == [.null, 1, 2, 3])
        // Mistakes: one file, or one that is not a recording.
        let wrong = try await consoleJSON("plugins", ["sessions diff \(dir.path)/a.jsonl", "sessions diff \(dir.path)/a.jsonl \(dir.path)/none.jsonl"],
                                          in: packageRoot)
        #expect(wrong.documents[0]["error"]?["message"]?.stringValue?.hasPrefix("`sessions diff` needs two session files") == true)
        #expect(wrong.documents[1]["error"]?["message"] == .string("\(dir.path)/none.jsonl does not exist"))
    }
}
