import Foundation
import PluginSystem
import Testing
import TestSupport

/// A trace, a replay and a breakpoint see a change the plugins and every consumer see, even when it
/// looks like no change: a text renormalised, a temporary path a plugin returns.
@Suite struct ExactComparisonTests {
    /// One Python chain stage (kind `k`, hook `f`) whose code is `body` (the hook's return expression).
    func chain(_ body: String) -> TempDir {
        let dir = TempDir()
        dir.pythonPlugin("plugins/a", name: "a", kind: "k", priority: 20, code: stage(body))
        return dir
    }

    func stage(_ body: String) -> String {
        "import unicodedata\n\nclass A:\n    def f(self, m):\n        return \(body)\n"
    }

    @Test func aStageThatOnlyRenormalisesATextChangedIt() async throws {
        let dir = chain(#"{**m, "text": unicodedata.normalize("NFC", m["text"])}"#)
        let input = #"trace k.f {"text": "cafe\u0301"}"#
        let (status, docs, stderr) = try await consoleJSON("plugins", [input], in: dir.path)
        #expect(status == 0, "\(stderr)")
        let stage = try #require(docs.first?["stages"]?[0])
        #expect(stage["status"] == "changed", "\(stage)")
        #expect(stage["diff"] == [["op": "replace", "path": "/text", "value": "caf\u{E9}", "old": "cafe\u{301}"]])
        let text = try await consoleText("plugins", [input], in: dir.path)
        #expect(text.lines.contains { $0.contains("changed") && $0.contains(" a ") }, "\(text.lines)")
        #expect(text.lines.contains {
            $0.trimmingCharacters(in: .whitespaces) == #"same text, different Unicode normalisation (NFD → NFC): "cafe\u0301" → "caf\u00e9""#
        }, "\(text.lines)")
        // `break change /text` stops at it (a stage after it: a trace is not paused after its last stage).
        dir.pythonPlugin("plugins/b", name: "b", kind: "k", priority: 10, code: "class B:\n    def f(self, m):\n        return m\n")
        let stopped = try await consoleJSON("plugins", ["break change /text", input], in: dir.path)
        #expect(stopped.documents.last?["paused"]?["plugin"] == "a", "\(stopped.documents)")
        #expect(stopped.documents.last?["paused"]?["new"] == "caf\u{E9}")
    }

    @Test func aReplayWhoseOutputIsNowOtherwiseNormalisedDiverges() async throws {
        let dir = chain(#"{**m, "text": m["text"] + "\u00e9"}"#)
        let recorded = try await runConsole(["plugins", "--record", "nfc", "-c", #"trace k.f {"text": "x"}"#], in: dir.path)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        dir.write("plugins/a/plugin.py", stage(#"{**m, "text": m["text"] + "e\u0301"}"#))
        let replay = try await runConsole(["--replay", dir.path + "/sessions/nfc.jsonl", "--json"], in: dir.path)
        let report = try JSONValue.parse(replay.stdout)
        #expect(report["diverged"] == 1, "\(report)")
        #expect(replay.status == 1)
        let text = try await runConsole(["--replay", dir.path + "/sessions/nfc.jsonl"], in: dir.path)
        #expect(text.stdout.contains(#"same text, different Unicode normalisation (NFC → NFD): "x\u00e9" → "xe\u0301""#), "\(text.stdout)")
    }

    @Test func aReplayWhoseOutputNamesAnotherTemporaryFolderDiverges() async throws {
        let dir = chain(#"{**m, "out": "saved to /tmp/reports-v1/summary.txt"}"#)
        let recorded = try await runConsole(["plugins", "--record", "r2", "-c", #"trace k.f {"q": 1}"#], in: dir.path)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let same = try await runConsole(["--replay", dir.path + "/sessions/r2.jsonl", "--json"], in: dir.path)
        #expect(try JSONValue.parse(same.stdout)["same"] == 1, "\(same.stdout)")
        dir.write("plugins/a/plugin.py", stage(#"{**m, "out": "saved to /tmp/reports-v2/summary.txt"}"#))
        let replay = try await runConsole(["--replay", dir.path + "/sessions/r2.jsonl", "--json"], in: dir.path)
        let report = try JSONValue.parse(replay.stdout)
        #expect(report["diverged"] == 1, "\(report)")
        #expect(replay.status == 1)
    }

    /// A plugin that returns an object with "é" twice, once per normalisation, is told it cannot be
    /// held, at its own stage — not given back an object with one of them gone.
    @Test func anAnswerWithKeysThatDifferOnlyInNormalisationIsAnErrorOfItsStage() async throws {
        let dir = chain(#"{"caf\u00e9": 1, "cafe\u0301": 2}"#)
        let (_, docs, stderr) = try await consoleJSON("plugins", [#"trace k.f {"q": 1}"#], in: dir.path)
        let stage = try #require(docs.first?["stages"]?[0], "\(stderr)")
        #expect(stage["status"] == "error", "\(stage)")
        let message = stage["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains(#"two keys differ only in Unicode normalisation ("caf\u00e9" and "cafe\u0301"); an object here cannot hold both"#),
                "\(stage)")
    }
}
