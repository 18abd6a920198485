import Foundation
import PluginSystem
import Testing
import TestSupport

/// The small things a user notices: refused extra words, aliases named in full, the home folder,
/// bytes that are not text, messages that say what really went wrong, examples that fit what is loaded.
@Suite struct SmallMistakesTests {
    @Test func extraWordsAreRefusedAndNothingHappens() async throws {
        let (_, docs, _) = try await consoleJSON("plugins", ["disable synonymizer extra", "order query_rewriter", "kinds now", "reload please"], in: packageRoot)
        #expect(docs[0]["error"]?["message"]?.stringValue == "unexpected 'extra': `disable` takes 1 argument at most\nusage: disable PLUGIN")
        #expect(docs[1]["order"]?.arrayValue?.first { $0["plugin"] == "synonymizer" }?["state"] == "active")
        #expect(docs[2]["error"]?["message"]?.stringValue == "unexpected 'now': `kinds` takes no arguments\nusage: kinds")
        #expect(docs[3]["error"] != nil)
        let step = try await consoleJSON("plugins", [#"step query_rewriter.rewrite {"text": "a"}"#, "next 2"], in: packageRoot).documents
        #expect(step[1]["error"]?["message"]?.stringValue == "unexpected '2': `next` takes no arguments\nusage: next")
    }

    @Test func aliasesAreNamedInFullInJSON() async throws {
        let (_, docs, _) = try await consoleJSON("plugins", [#"step query_rewriter.rewrite {"text": "a"}"#, "n", "s", "c"], in: packageRoot)
        #expect(docs.map { $0["command"]?.stringValue ?? "" } == ["step", "next", "skip", "continue"])
        let dir = TempDir()
        try FileManager.default.copyItem(atPath: packageRoot + "/plugins", toPath: dir.path + "/plugins")
        _ = try await runConsole(["plugins", "--record", "a", "-c", "kinds", "-c", "order query_rewriter"], in: dir.path)
        let walk = try await consoleJSON("plugins", ["replay a --step", "n", "c"], in: dir.path).documents
        #expect(walk.map { $0["command"]?.stringValue ?? "" } == ["replay", "next", "continue"], "\(walk)")
    }

    @Test func theStandardResourcesCannotBeReplacedFromTheCommandLine() async throws {
        let result = try await runConsole(["plugins", "--resource", "clock={}", "-c", "resources"], in: packageRoot)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--resource clock: 'clock' is a standard resource; only custom resources hold JSON values"), "\(result.stderr)")
    }

    @Test func bytesThatAreNotUTF8AreRefusedNotSentToAPlugin() async throws {
        let env = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }
        let input = Data("kinds\n".utf8) + Data([0x63, 0x61, 0x6C, 0x6C, 0x20, 0xFF, 0x0A]) + Data("kinds\n".utf8)
        let result = try await runBytes(consoleBinary, ["plugins"], stdin: input, environment: env, workingDirectory: packageRoot)
        #expect(result.status == 1)
        #expect(result.stdout.contains("error: the line is not valid UTF-8 (byte 0xff at byte 6); it was not run"), "\(result.stdout)")
        #expect(!result.stdout.contains("\u{FFFD}"))
        let t = try TerminalSession(arguments: ["plugins"], environment: ["DAGSTACK_CONSOLE_HISTORY": NSTemporaryDirectory() + "h-\(UUID().uuidString)"])
        #expect(await t.waitFor("dagstack>"))
        await t.typeBytes(Array("show fixed".utf8) + [0xC3, 0x28, 0x0D])
        #expect(await t.waitFor("error: the line is not valid UTF-8 (byte 0xc3); it was not run"), "\(t.lines)")
        #expect(!t.lines.contains { $0.contains("unknown plugin") }, "\(t.lines)")
        // Text that is UTF-8 reaches the plugin whole, whatever locale the console started in.
        await t.type(#"trace query_rewriter.rewrite {"text": "Привет"}"# + "\r")
        #expect(await t.waitFor(#"output {"text":"привет"}"#), "\(t.lines)")
        await t.type("quit\r")
        _ = await t.waitForExit()
    }

    @Test func theHistoryFileGoesInHOME() async throws {
        let home = TempDir()
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "DAGSTACK_CONSOLE_HISTORY")
        environment["HOME"] = home.path
        let t = try TerminalSession(arguments: ["plugins"], environment: environment)
        #expect(await t.waitFor("dagstack>"))
        await t.type("kinds\r")
        await t.type("quit\r")
        #expect(await t.waitForExit(seconds: 60) == 0)
        let history = try String(contentsOfFile: home.path + "/.dagstack_console_history", encoding: .utf8)
        #expect(history.contains("kinds"))
    }

    @Test func recordingIntoAFolderThatCannotBeMadeSaysWhy() async throws {
        let dir = TempDir()
        dir.write("taken", "a file, not a folder")
        let (_, lines, _) = try await consoleText("plugins", ["record \(dir.path)/taken/x.jsonl", "record /sys/dagstack-nope/x.jsonl"], in: packageRoot)
        #expect(lines.contains("error: cannot record into \(dir.path)/taken: it is a file, not a folder"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("error: cannot create the folder /sys/dagstack-nope: ") && !$0.contains("No such file") }, "\(lines)")
    }

    @Test func helpExamplesNameWhatIsLoaded() async throws {
        let dir = TempDir()
        dir.write("kinds/doc/v1.yaml", "kind: doc\nkind_api_version: 1.0.0\nhooks:\n  - name: clean\n    dispatch: chain\n    examples:\n      - {id: a}\n")
        dir.pythonPlugin("p", name: "p", kind: "doc", code: "class P:\n    def clean(self, doc):\n        return doc\n")
        let (_, lines, _) = try await consoleText(dir.path, ["help trace"], in: dir.path)
        #expect(lines.contains(#"  Example: trace doc.clean {"id":"a"}"#), "\(lines)")
        #expect(!lines.joined().contains("query_rewriter"))
    }
}

/// Runs a program with raw bytes on its standard input.
func runBytes(_ executable: String, _ arguments: [String], stdin: Data, environment: [String: String], workingDirectory: String)
    async throws -> (status: Int32, stdout: String, stderr: String)
{
    let file = NSTemporaryDirectory() + "dagstack-stdin-\(UUID().uuidString)"
    FileManager.default.createFile(atPath: file, contents: stdin)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let quoted = ([executable] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    return try await run("/bin/sh", ["-c", "\(quoted) < '\(file)'"], environment: environment, workingDirectory: workingDirectory)
}
