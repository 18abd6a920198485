import Foundation
import PluginSystem
import Testing
import TestSupport

/// `enable` says what a plugin it cannot switch on is (failed, unavailable) and what to do; `abort`
/// says where the walk stopped and what value it had reached, never calling that value the output.
@Suite struct EnableAndAbortTests {
    /// `broken` raises in set-up, `needs-broken` depends on it, `fine` works.
    static func brokenDirectory() -> TempDir {
        let dir = TempDir()
        dir.pythonPlugin("broken", name: "broken", kind: "k", priority: 20,
                         code: "class Broken:\n    def setup(self, ctx):\n        raise ConnectionError(\"database unreachable\")\n\n    def f(self, value):\n        return value\n")
        dir.pythonPlugin("needs-broken", name: "needs-broken", kind: "k", priority: 10,
                         code: "class NeedsBroken:\n    def f(self, value):\n        return value\n", extra: #"depends_on = ["broken"]"#)
        dir.pythonPlugin("fine", name: "fine", kind: "k", priority: 5, code: "class Fine:\n    def f(self, value):\n        return value\n")
        return dir
    }

    @Test func enableOnAFailedPluginSaysItIsFailedAndToReload() async throws {
        let dir = Self.brokenDirectory()
        let (status, lines, stderr) = try await consoleText(dir.path, ["enable broken"], in: dir.path)
        #expect(status == 1, "\(stderr)")
        #expect(Array(lines.prefix(2)) == [
            "error: 'broken' is failed, not switched off, so `enable` cannot make it run: Plugin 'broken' failed in setup: ConnectionError: database unreachable",
            "  fix it, then `reload` sets it up again",
        ], "\(lines)")
    }

    @Test func enableOnAnUnavailablePluginSaysWhy() async throws {
        let dir = Self.brokenDirectory()
        let (status, lines, _) = try await consoleText(dir.path, ["enable needs-broken"], in: dir.path)
        #expect(status == 1)
        #expect(lines.first?.hasPrefix("error: 'needs-broken' is unavailable, not switched off, so `enable` cannot make it run: ") == true, "\(lines)")
        #expect(lines.dropFirst().first == "  `reload` sets it up again once that is fixed", "\(lines)")
    }

    @Test func enableOnADisabledFailedPluginLiftsTheSwitchAndSaysSo() async throws {
        let dir = Self.brokenDirectory()
        let docs = try await consoleJSON(dir.path, ["disable broken", "enable broken", "plugins"], in: dir.path).documents
        #expect(docs.count == 3)
        #expect(docs[1]["error"]?["message"]?.stringValue?.hasSuffix(
            "fix it, then `reload` sets it up again (your `disable` is lifted: it will run once it is set up)") == true, "\(docs[1])")
        // The console holds no switch for it any more: the failed state is the runtime's, not the user's.
        let broken = docs[2]["plugins"]?.arrayValue?.first { $0["name"] == "broken" }
        #expect(broken?["state"] == "failed")
    }

    @Test func enableOnAnActivePluginSaysItWasAlreadyActive() async throws {
        let lines = try await consoleText("plugins", ["enable blacklist", "disable blacklist", "enable blacklist"], in: packageRoot).lines
        #expect(lines.filter { !$0.isEmpty } == ["'blacklist' is already active", "disabled 'blacklist'", "enabled 'blacklist'"])
    }

    static let trace = #"step query_rewriter.rewrite {"text": "Teh fox"}"#

    @Test func abortSaysWhereTheWalkStoppedAndTheValueItReachedNotAnOutput() async throws {
        let lines = try await consoleText("plugins", [Self.trace, "next", "next", "abort", "history"], in: packageRoot).lines
            .filter { !$0.contains("governance") && !$0.isEmpty }
        let at = try #require(lines.firstIndex { $0.hasPrefix("aborted") }, "\(lines)")
        #expect(lines[at] == "aborted before 3/5 spellfix: stages 3 to 5 did not run, so the chain has no output")
        #expect(lines[at + 1] == #"value reached {"text":"teh fox"}"#)
        #expect(!lines.contains { $0.contains("output {") }, "\(lines)")
        // history names the aborted branch's value the same way.
        #expect(lines.contains(#"      value reached {"text":"teh fox"}"#), "\(lines)")
    }

    @Test func abortInJSONHasNoOutputButTheValueReached() async throws {
        let docs = try await consoleJSON("plugins", [Self.trace, "next", "abort", "history"], in: packageRoot).documents
        #expect(docs[2]["event"] == "aborted")
        #expect(docs[2]["aborted"] == ["plugin": "blacklist", "position": 2, "of": 5, "raised": false])
        #expect(docs[2]["value"] == ["text": "teh fox"])
        #expect(docs[2]["trace"]?["output"] == .null)
        #expect(docs[2]["trace"]?["aborted"] == true)
        #expect(docs[2]["trace"]?["reached"] == ["text": "teh fox"])
        let branch = docs[3]["branches"]?.arrayValue?.first
        #expect(branch?["status"] == "aborted")
        #expect(branch?["output"] == .null)
        #expect(branch?["reached"] == ["text": "teh fox"])
    }

    @Test func abortAtAStageThatRaisedSaysSo() async throws {
        let dir = DebuggerCommandTests.raisingChain()
        let lines = try await consoleText(dir.path, [#"step k.f {"n": 1}"#, "next", "next", "abort"], in: dir.path).lines
        let at = try #require(lines.firstIndex { $0.hasPrefix("aborted") }, "\(lines)")
        #expect(lines[at] == "aborted at 2/3 b, which raised: stage 3 did not run, so the chain has no output")
        #expect(lines[at + 1] == #"value reached {"n":2}"#)
        #expect(!lines.contains { $0.hasPrefix("chain failed") || $0.hasPrefix("output") }, "\(lines)")
    }
}
