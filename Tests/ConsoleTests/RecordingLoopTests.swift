import Foundation
import PluginSystem
import Testing
import TestSupport

/// The edit → reload → record → replay loop: nothing recorded is lost, nothing replayed comes from
/// anywhere but the directory the user named, and odd paths work.
@Suite struct RecordingLoopTests {
    /// A project folder with one Python chain plugin that reads the `suffix` resource in set-up.
    func project(_ plugins: String = "plugins") -> TempDir {
        let dir = TempDir()
        dir.write("\(plugins)/resources.json", #"{"suffix": "!"}"#)
        dir.pythonPlugin("\(plugins)/exclaim", name: "exclaim", kind: "text", priority: 10, code: """
            class Exclaim:
                def setup(self, ctx):
                    self.suffix = ctx.resources.suffix

                def shout(self, value):
                    return {**value, "text": value["text"] + self.suffix}
            """, extra: "[plugin.resources]\nrequired = [\"suffix\"]")
        return dir
    }

    func entries(_ file: String) throws -> [JSONValue] {
        try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    @Test func recordingGoesOnThroughReloadLoadAndResourceSet() async throws {
        let dir = project()
        dir.pythonPlugin("other/p", name: "p", kind: "text", code: "class P:\n    def shout(self, value):\n        return value\n")
        let (status, docs, stderr) = try await consoleJSON("plugins", [
            #"trace text.shout {"text": "hi"}"#, "reload", #"resource set suffix "?""#, "load other", "kinds", "record",
        ], in: dir.path, extra: ["--record", "loop"])
        #expect(status == 0, "\(stderr)")
        #expect(docs.last?["recording"] == true, "\(docs.last ?? .null)")
        let lines = Array(try entries(dir.path + "/sessions/loop.jsonl").dropFirst())
        try #require(lines.count == 5, "\(lines)")
        #expect(lines.map { $0["line"]!.stringValue! } == [
            #"trace text.shout {"text": "hi"}"#, "reload", #"resource set suffix "?""#, "load other", "kinds",
        ])
        #expect(lines[1]["result"]?["trace"]?["output"] == ["text": "hi!"])
        #expect(lines[1]["result"]?["changes"]?["same"] == true)
        #expect(lines[2]["result"]?["plugins"]?[0]?["state"] == "active")
    }

    @Test func codeSavedWithoutReloadIsSaidAndARecordingOfItNamesTheCodeItRan() async throws {
        let dir = project()
        let console = try PipedConsole(arguments: [dir.path + "/plugins", "--json"])
        let fresh = try await console.send(#"trace text.shout {"text": "hi"}"#)
        #expect(fresh["output"] == ["text": "hi!"])
        #expect(fresh["edited_since_load"] == nil)
        dir.write("plugins/exclaim/plugin.py", "class Exclaim:\n    def shout(self, value):\n        return {**value, \"text\": value[\"text\"] + \"?\"}\n")
        let record = try await console.send("record stale")
        #expect(record["edited_since_load"] == ["exclaim"], "\(record)")
        let stale = try await console.send(#"trace text.shout {"text": "hi"}"#)
        #expect(stale["output"] == ["text": "hi!"])
        #expect(stale["edited_since_load"] == ["exclaim"])
        #expect(try await console.send("kinds")["edited_since_load"] == nil)
        _ = try await console.send("record stop")
        let reloaded = try await console.send("reload")
        #expect(reloaded["trace"]?["output"] == ["text": "hi?"])
        let after = try await console.send(#"trace text.shout {"text": "hi"}"#)
        #expect(after["edited_since_load"] == nil)
        #expect(await console.finish() == 0)
        // The recording's header names the code its results came from: its replay says the plugin
        // changed, next to the divergence, rather than leaving the difference unexplained.
        let replay = try await runConsole(["--replay", dir.path + "/sessions/stale.jsonl", "--json"], in: dir.path)
        let report = try JSONValue.parse(replay.stdout)
        #expect(report["changed_plugins"] == [["plugin": "exclaim", "change": "changed"]], "\(report)")
        #expect(report["diverged"] == 1)
        // In text, the warning follows the command's own output.
        let text = try await consoleText(dir.path + "/plugins", [#"trace text.shout {"text": "hi"}"#], in: dir.path)
        #expect(!text.lines.contains { $0.hasPrefix("warning:") })
    }

    /// A plugin that keeps a database and a log in its own folder (written at set-up and at every
    /// call) is not "changed on disk": what it writes is not its code, so no command warns, the
    /// recording's header fingerprints its code, and the replay — after more writes — names no change.
    @Test func filesAPluginWritesIntoItsFolderAreNotItsCode() async throws {
        let dir = TempDir()
        dir.pythonPlugin("plugins/counter", name: "counter", kind: "text", code: """
            import os
            import sqlite3

            HERE = os.path.dirname(os.path.abspath(__file__))

            class Counter:
                def setup(self, ctx):
                    self.db = sqlite3.connect(os.path.join(HERE, "cache.db"))
                    self.db.execute("CREATE TABLE IF NOT EXISTS seen (text TEXT)")
                    self.db.commit()

                def shout(self, value):
                    self.db.execute("INSERT INTO seen VALUES (?)", (value["text"],))
                    self.db.commit()
                    with open(os.path.join(HERE, "calls.log"), "a") as log:
                        log.write(value["text"] + "\\n")
                    return {**value, "text": value["text"] + "!"}

                def teardown(self):
                    self.db.close()
            """)
        let console = try PipedConsole(arguments: [dir.path + "/plugins", "--json"])
        let first = try await console.send(#"trace text.shout {"text": "hi"}"#)
        #expect(first["output"] == ["text": "hi!"], "\(first)")
        #expect(first["edited_since_load"] == nil, "\(first)")
        let record = try await console.send("record writes")
        #expect(record["edited_since_load"] == nil, "\(record)")
        let second = try await console.send(#"trace text.shout {"text": "hi"}"#)
        #expect(second["edited_since_load"] == nil, "\(second)")
        _ = try await console.send("record stop")
        #expect(await console.finish() == 0)
        let header = try entries(dir.path + "/sessions/writes.jsonl")[0]
        #expect(header["plugins"]?[0]?["fingerprint"] != "edited-since-load", "\(header)")
        let replay = try await runConsole(["--replay", dir.path + "/sessions/writes.jsonl", "--json"], in: dir.path)
        let report = try JSONValue.parse(replay.stdout)
        #expect(report["changed_plugins"] == nil || report["changed_plugins"] == [], "\(report)")
        #expect(report["diverged"] == 0, "\(report)")
        // The twin: the same plugin's code saved — the warning, and the replay names it.
        dir.write("plugins/counter/plugin.py", try String(contentsOfFile: dir.path + "/plugins/counter/plugin.py", encoding: .utf8) + "\n# edited\n")
        let again = try await runConsole(["--replay", dir.path + "/sessions/writes.jsonl", "--json"], in: dir.path)
        #expect(try JSONValue.parse(again.stdout)["changed_plugins"] == [["plugin": "counter", "change": "changed"]], "\(again.stdout)")
    }

    @Test func aRecordedEditReloadLoopReplaysItsReloadAsTheTraceItRan() async throws {
        let dir = project()
        let console = try PipedConsole(arguments: [dir.path + "/plugins", "--json", "--record", "loop"])
        #expect(try await console.send(#"trace text.shout {"text": "hi"}"#)["output"] == ["text": "hi!"])
        dir.write("plugins/exclaim/plugin.py", "class Exclaim:\n    def shout(self, value):\n        return {**value, \"text\": value[\"text\"] + \"?\"}\n")
        let reload = try await console.send("reload")
        #expect(reload["changes"]?["same"] == false)
        #expect(try await console.send(#"trace text.shout {"text": "hi"}"#)["output"] == ["text": "hi?"])
        #expect(await console.finish() == 0)
        // Replayed against the edited code: the trace before the edit differs — it ran the old code —
        // and the reload's own trace is the same; what it was compared with at recording time (its
        // `changes`) is not compared again.
        let replay = try await runConsole(["--replay", dir.path + "/sessions/loop.jsonl", "--json"], in: dir.path)
        let report = try JSONValue.parse(replay.stdout)
        #expect(report["entries"]?.arrayValue?.map { $0["verdict"] } == ["diverged", "same", "same"], "\(report)")
    }

    @Test func theWarningAboutSavedCodeIsOneLineAfterTheOutput() async throws {
        let dir = project()
        let t = try TerminalSession(arguments: [dir.path + "/plugins"])
        #expect(await t.waitForPrompt())
        dir.write("plugins/exclaim/plugin.py", "class Exclaim:\n    def shout(self, value):\n        return value\n")
        await t.type(#"trace text.shout {"text": "hi"}"# + "\r")
        #expect(await t.waitFor("warning: plugin 'exclaim' changed on disk since it was loaded: this ran the code loaded before (`reload` runs what is on disk)"), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    func session(_ dir: TempDir, _ name: String, lines: [String]) -> String {
        let header = #"{"format":"dagstack-console-session","version":1,"tool":"dagstack-console","tool_version":"0.1.0","created":"2026-11-21T22:45:18Z","plugin_dir":"plugins","plugin_dir_absolute":"\#(dir.path)/plugins","plugins":[],"resources":{}}"#
        let entries = lines.enumerated().map { index, line in
            JSONValue.object(["seq": .int(index + 1), "line": .string(line), "state": ["disabled": [], "priorities": [:], "resources": [:]],
                              "result": ["command": "kinds"]]).encoded()
        }
        return dir.write(name, ([header] + entries).joined(separator: "\n") + "\n")
    }

    @Test func replayFindsTheRecordedDirectoryFromAnywhereAndDIROverridesIt() async throws {
        let dir = project()
        let recorded = try await runConsole(["plugins", "--record", "r", "-c", #"trace text.shout {"text": "a"}"#], in: dir.path)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let elsewhere = TempDir()
        // A plugins/ folder in the current directory that has nothing to do with the recording.
        elsewhere.pythonPlugin("plugins/decoy", name: "decoy", kind: "text", code: "class D:\n    def shout(self, value):\n        return value\n")
        let file = dir.path + "/sessions/r.jsonl"
        var replay = try await runConsole(["--replay", file, "--json"], in: elsewhere.path)
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
        #expect(try JSONValue.parse(replay.stdout)["plugin_dir"]?.stringValue == dir.path + "/plugins")
        // The project moved: the absolute path is gone, the path relative to the session file is used.
        let moved = elsewhere.path + "/moved"
        try FileManager.default.moveItem(atPath: dir.path, toPath: moved)
        defer { try? FileManager.default.moveItem(atPath: moved, toPath: dir.path) }
        replay = try await runConsole(["--replay", moved + "/sessions/r.jsonl", "--json"], in: "/")
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
        #expect(try JSONValue.parse(replay.stdout)["plugin_dir"]?.stringValue == moved + "/plugins")
        // DIR names another directory: it is the one replayed against.
        replay = try await runConsole(["--replay", moved + "/sessions/r.jsonl", "plugins", "--json"], in: elsewhere.path)
        #expect(replay.status == 1, "\(replay.stdout)\(replay.stderr)")
        #expect(try JSONValue.parse(replay.stdout)["plugin_dir"]?.stringValue == "plugins")
        // Nowhere to be found: the file cannot be used, and the message says what to do.
        let lost = TempDir()
        let orphan = session(lost, "orphan.jsonl", lines: ["kinds"])
        replay = try await runConsole(["--replay", orphan], in: lost.path)
        #expect(replay.status == 2)
        #expect(replay.stderr.contains("the recorded plugin directory 'plugins' was not found"), "\(replay.stderr)")
    }

    @Test func aReplayNeverLoadsAnotherDirectoryAndPrintsRecordedTextEscaped() async throws {
        let dir = project()
        let evil = TempDir()
        let marker = evil.path + "/ran"
        evil.pythonPlugin("x", name: "x", kind: "text", code: "open(\(JSONValue.string(marker).encoded()), 'w').write('ran')\nclass X:\n    pass\n")
        let file = session(dir, "sessions/crafted.jsonl", lines: ["load \(evil.path)", "kinds \u{1B}]0;owned\u{07}\u{1B}[2J"])
        let replay = try await runConsole(["--replay", file], in: dir.path)
        #expect(!FileManager.default.fileExists(atPath: marker), "the replay ran code from \(evil.path)")
        #expect(replay.stdout.contains("skipped   load \(evil.path)"), "\(replay.stdout)")
        #expect(replay.stdout.contains("not replayed: `load` would load another directory"), "\(replay.stdout)")
        #expect(!replay.stdout.contains("\u{1B}") && !replay.stderr.contains("\u{1B}"))
        #expect(replay.stdout.contains(#"kinds \e]0;owned\a\e[2J"#), "\(replay.stdout)")
        // In the console too.
        let inConsole = try await runConsole(["plugins", "-c", "replay \(file)"], in: dir.path)
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(!inConsole.stdout.contains("\u{1B}"))
    }

    /// Plugin directory spellings that once crashed or misplaced the recording.
    static let oddDirectories = ["p", "./p", "p/", "sub/../p", "my plugins", "плагины"]

    @Test(arguments: oddDirectories)
    func oddPluginDirectoriesRecordReplayAndList(_ spelling: String) async throws {
        let folder = spelling.hasSuffix("/") ? String(spelling.dropLast()) : spelling
        let name = folder.split(separator: "/").last.map(String.init)!
        let dir = project(name)
        dir.mkdir("sub")
        let recorded = try await runConsole([spelling, "--record", "x", "-c", #"trace text.shout {"text": "a"}"#], in: dir.path)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(!recorded.stderr.contains("crashed"))
        let file = dir.path + "/sessions/x.jsonl"
        #expect(FileManager.default.fileExists(atPath: file), "\(recorded.stderr)")
        let inConsole = try await runConsole([spelling, "-c", "record y", "-c", "kinds", "-c", "record stop", "-c", "sessions"], in: dir.path)
        #expect(inConsole.status == 0, "\(inConsole.stdout)\(inConsole.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/sessions/y.jsonl"), "\(inConsole.stdout)")
        #expect(inConsole.stdout.contains("sessions/x.jsonl") && inConsole.stdout.contains("sessions/y.jsonl"), "\(inConsole.stdout)")
        let replay = try await runConsole(["--replay", "sessions/x.jsonl"], in: dir.path)
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
    }

    @Test func aRecordingOfDeeplyNestedValuesReplays() async throws {
        let dir = project()
        dir.pythonPlugin("plugins/echo", name: "echo", kind: "deep", code: "class Echo:\n    def echo(self, value):\n        return value\n")
        // As deep as the console takes a typed value (JSONLimits.maxDepth, the outer brackets included).
        let deep = String(repeating: "[", count: 255) + String(repeating: "]", count: 255)
        let recorded = try await runConsole(["plugins", "--record", "deep", "-c", "call deep.echo [\(deep)]"], in: dir.path)
        #expect(recorded.status == 0, "\(recorded.stdout)\(recorded.stderr)")
        let replay = try await runConsole(["--replay", "sessions/deep.jsonl", "--json"], in: dir.path)
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
    }

    @Test func aHeaderWithAVersionThatIsNotAWholeNumberIsRefused() async throws {
        let dir = project()
        for (version, message) in [(#""1""#, #"the header's "version" must be a whole number, got "1""#),
                                   ("1.5", #"the header's "version" must be a whole number, got 1.5"#)] {
            let file = dir.write("sessions/v.jsonl", #"{"format":"dagstack-console-session","version":\#(version),"plugin_dir":"plugins"}"# + "\n")
            let replay = try await runConsole(["--replay", file], in: dir.path)
            #expect(replay.status == 2)
            #expect(replay.stderr.contains(message), "\(replay.stderr)")
        }
    }
}
