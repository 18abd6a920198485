import Foundation
import PluginSystem
import Testing
import TestSupport

@testable import Console

/// The console splits a command line as a POSIX shell does, for every command.
@Suite struct CommandLineQuotingTests {
    func words(_ text: String) throws -> [String] {
        try CommandWords.split(text).map(\.text)
    }

    @Test func wordsAreSplitAsAShellSplitsThem() throws {
        #expect(try words("  a\tb  c ") == ["a", "b", "c"])
        #expect(try words(#"'two words' "and three more" x"#) == ["two words", "and three more", "x"])
        #expect(try words(#"it\'s a\ b"#) == ["it's", "a b"])
        #expect(try words(##"'single keeps \ and "' "double: \" \\ \$ \` \n""##) == [#"single keeps \ and ""#, #"double: " \ $ ` \n"#])
        #expect(try words(##"pre'mid dle'post"x y""##) == ["premid dlepostx y"])
        #expect(try words(#"record """#) == ["record", ""])
        #expect(try words("record ''") == ["record", ""])
        #expect(try words("") == [])
        #expect(try words("naïve 'файл с пробелом'") == ["naïve", "файл с пробелом"])
    }

    @Test func wordsKnowWhereTheyStandAndWhetherQuotingChangedThem() throws {
        #expect(try CommandWords.split(#"ab 'c d'"#) == [
            CommandWord(text: "ab", start: 0, end: 2, quoted: false), CommandWord(text: "c d", start: 3, end: 8, quoted: true),
        ])
    }

    @Test func anUnclosedQuoteSaysWhereItOpened() {
        #expect(throws: ConsoleError.self) { try words("a 'b c") }
        do {
            _ = try CommandWords.split(#"x "y"#, offset: 7)
            Issue.record("no error")
        } catch {
            #expect(error.message == #"unclosed double quote (") at column 10: close it, or escape it with a backslash"#)
        }
    }

    func console(_ commands: [String], in directory: String, plugins: String = "plugins", json: Bool = false) async throws -> (status: Int32, stdout: String) {
        let result = try await run(
            consoleBinary, [plugins] + (json ? ["--json"] : []) + commands.flatMap { ["-c", $0] },
            environment: ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }, workingDirectory: directory)
        return (result.status, result.stdout)
    }

    @Test func recordWithAnEmptyNameIsRefusedAndCreatesNoFile() async throws {
        let dir = TempDir()
        try FileManager.default.copyItem(atPath: packageRoot + "/plugins", toPath: dir.path + "/plugins")
        for line in [#"record """#, "record ''"] {
            let (status, output) = try await console([line], in: dir.path)
            #expect(status == 1)
            #expect(output.contains("error: FILE is empty: name the session file"), "\(output)")
        }
        let sessions = (try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/sessions")) ?? []
        #expect(sessions.isEmpty, "\(sessions)")
        let (status, _) = try await console(["record 'two words'", "kinds", "record stop"], in: dir.path)
        #expect(status == 0)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/sessions/two words.jsonl"))
    }

    @Test func jsonMayBeTypedAsItIsOrQuotedAsOneWord() async throws {
        let typed = try await console([#"call chunker.chunk {"text": "a b", "max_size": 2}"#], in: packageRoot, json: true)
        let quoted = try await console([#"call chunker.chunk '{"text": "a b", "max_size": 2}'"#], in: packageRoot, json: true)
        #expect(typed.status == 0 && quoted.status == 0)
        let expected: JSONValue = [["text": "a ", "offset": 0], ["text": "b", "offset": 2]]
        #expect(try JSONValue.parse(typed.stdout)["answers"]?[0]?["value"] == expected, "\(typed.stdout)")
        #expect(try JSONValue.parse(quoted.stdout)["answers"]?[0]?["value"] == expected, "\(quoted.stdout)")
    }

    @Test func aPathWithSpacesIsLoadedWhenQuotedAndExplainedWhenNot() async throws {
        let dir = TempDir()
        try FileManager.default.copyItem(atPath: packageRoot + "/plugins", toPath: dir.path + "/my plugins")
        let quoted = try await console(["load 'my plugins'"], in: dir.path, plugins: "my plugins")
        #expect(quoted.status == 0)
        #expect(quoted.stdout.contains("loaded my plugins: 7 plugins, 7 active"), "\(quoted.stdout)")
        let escaped = try await console([#"load my\ plugins"#], in: dir.path, plugins: "my plugins")
        #expect(escaped.stdout.contains("loaded my plugins: 7 plugins, 7 active"), "\(escaped.stdout)")
        let bare = try await console(["load my plugins"], in: dir.path, plugins: "my plugins")
        #expect(bare.status == 1)
        #expect(bare.stdout.contains("error: one DIR only; quote a path with spaces: load 'my plugins'"), "\(bare.stdout)")
    }

    @Test func anUnclosedQuoteIsAnErrorAndTheConsoleGoesOn() async throws {
        let (status, output) = try await console(["show 'fixed", "show fixed"], in: packageRoot)
        #expect(status == 1)
        #expect(output.contains("error: unclosed single quote (') at column 6: close it, or escape it with a backslash"), "\(output)")
        #expect(output.contains("fixed"))
    }
}
