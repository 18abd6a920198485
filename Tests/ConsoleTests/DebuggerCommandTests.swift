import Foundation
import PluginSystem
import Testing
import TestSupport

/// The debugging commands run in batch mode on the shipped query-rewriter chain (and small fixtures),
/// in text and in `--json`: breakpoints, going back, retry, blame, why, timing, again, and the ways
/// of entering a value.
@Suite struct DebuggerCommandTests {
    static let trace = #"trace query_rewriter.rewrite {"text": "Teh fox"}"#
    static let seed = #"trace query_rewriter.rewrite {"text": "  How to LAUNCH dagstack?  ", "tenant_id": "acme-corp"}"#

    func json(_ commands: [String], _ plugins: String = "plugins", in directory: String = packageRoot) async throws -> [JSONValue] {
        let (_, documents, stderr) = try await consoleJSON(plugins, commands, in: directory)
        #expect(documents.count == commands.count, "\(stderr)")
        return documents
    }

    func text(_ commands: [String], _ plugins: String = "plugins", in directory: String = packageRoot) async throws -> [String] {
        try await consoleText(plugins, commands, in: directory).lines.filter { !$0.contains("governance") && !$0.isEmpty }
    }

    func plugins(_ stages: JSONValue?) -> [String] { stages?.arrayValue?.compactMap { $0["plugin"]?.stringValue } ?? [] }

    /// Three Python stages `a` (n+1), `b` (raises when n > 1, else adds b) and `c` (adds c = n*10).
    static func raisingChain() -> TempDir {
        let dir = TempDir()
        dir.write("kinds/k/v1.yaml", "kind: k\nkind_api_version: 1.0.0\nhooks:\n  - name: f\n    dispatch: chain\n")
        dir.pythonPlugin("a", name: "a", kind: "k", priority: 30, code: "class A:\n    def f(self, value):\n        return {**value, \"n\": value.get(\"n\", 0) + 1}\n")
        dir.pythonPlugin("b", name: "b", kind: "k", priority: 20, code: Self.raisingB)
        dir.pythonPlugin("c", name: "c", kind: "k", priority: 10, code: "class C:\n    def f(self, value):\n        return {**value, \"c\": value[\"n\"] * 10}\n")
        return dir
    }

    static let raisingB = "class B:\n    def f(self, value):\n        if value.get(\"n\", 0) > 1:\n            raise ValueError(\"n too big\")\n        return {**value, \"b\": True}\n"
    static let fixedB = "class B:\n    def f(self, value):\n        return {**value, \"b\": True}\n"

    // MARK: Breakpoints

    @Test func breakpointsPauseATraceAndContinueRunsToTheNextOne() async throws {
        let docs = try await json([
            "break spellfix", "break change /text", #"break blacklist if /text contains "fox""#, Self.trace,
            "continue", "continue", "continue", "continue", "breaks",
        ])
        #expect(docs[0]["breakpoint"] == ["id": 1, "spec": "spellfix", "hits": 0, "type": "plugin", "plugin": "spellfix", "condition": nil])
        #expect(docs[1]["breakpoint"] == ["id": 2, "spec": "change /text", "hits": 0, "type": "change", "path": "/text"])
        #expect(docs[2]["breakpoint"]?["condition"] == #"/text contains "fox""#)
        // The trace stops after normalizer changed /text, and is a step session from there.
        #expect(plugins(docs[3]["stages"]) == ["normalizer"])
        #expect(docs[3]["output"] == .null)
        #expect(docs[3]["paused"] == [
            "reason": "breakpoint", "breakpoint": ["id": 2, "spec": "change /text", "type": "change", "path": "/text"],
            "plugin": "normalizer", "position": 1, "old": "Teh fox", "new": "teh fox",
        ])
        #expect(docs[3]["next"]?["plugin"] == "blacklist")
        // Stopped after a stage, continue still looks at the next stage's breakpoints: blacklist's condition holds.
        #expect(plugins(docs[4]["stages"]) == [])
        #expect(docs[4]["paused"]?["breakpoint"]?["id"] == 3)
        #expect(docs[4]["paused"]?["position"] == 2)
        // From a breakpoint before a stage, continue runs that stage: on to spellfix's breakpoint.
        #expect(plugins(docs[5]["stages"]) == ["blacklist"])
        #expect(docs[5]["paused"]?["breakpoint"]?["id"] == 1)
        #expect(plugins(docs[6]["stages"]) == ["spellfix"])
        #expect(docs[6]["paused"]?["breakpoint"]?["id"] == 2)
        #expect(docs[6]["paused"]?["old"] == "teh fox")
        #expect(docs[6]["paused"]?["new"] == "the fox")
        #expect(plugins(docs[7]["stages"]) == ["synonymizer", "tenant-enricher"])
        #expect(docs[7]["finished"] == true)
        #expect(docs[7]["value"] == ["text": "the fox"])
        #expect(docs[8]["breakpoints"]?.arrayValue?.map { "\($0["spec"]!.stringValue!):\($0["hits"]!.intValue!)" }
            == ["spellfix:1", "change /text:2", #"blacklist if /text contains "fox":1"#])
    }

    @Test func breakpointsInTextListHitsAndDelete() async throws {
        let lines = try await text(["break spellfix", "break error", Self.trace, "breaks", "delete 1", "delete 7", "delete all", "breaks"])
        #expect(lines.contains("breakpoint 1: spellfix"))
        #expect(lines.contains("breakpoint 2: error"))
        #expect(lines.contains("breakpoint 1 (spellfix) — stopped before 3 spellfix"))
        #expect(lines.contains("stepping: next 3/5 spellfix — next, continue, skip, set JSON, back, abort"))
        #expect(lines.contains("  1   spellfix                                        1 hit"), "\(lines)")
        #expect(lines.contains("  2   error                                           0 hits"))
        #expect(lines.contains("deleted breakpoint 1 (spellfix)"))
        #expect(lines.contains("error: no breakpoint 7; breakpoints: 2"), "\(lines)")
        #expect(lines.contains("deleted 1 breakpoint"))
        #expect(lines.last == "no breakpoints (break PLUGIN [if CONDITION] | break change PATH | break error)")
    }

    @Test func aConditionMistakeIsShownWithACaretAndNothingIsSet() async throws {
        let (status, lines, _) = try await consoleText("plugins", [#"break blacklist if /text = "rm""#, "breaks"], in: packageRoot)
        #expect(status == 1)
        #expect(Array(lines.prefix(4)) == [
            "error: bad breakpoint at column 26: expected `and`, `or` or the end of the condition, found '=' (compare with ==)",
            #"  break blacklist if /text = "rm""#,
            "                           ^",
            "usage: break PLUGIN [if CONDITION] | break change PATH | break error",
        ])
        #expect(lines.contains("no breakpoints (break PLUGIN [if CONDITION] | break change PATH | break error)"))
        let docs = try await json([#"break blacklist if /text matches /rm/q"#])
        #expect(docs[0]["error"]?["message"]?.stringValue?.hasPrefix(
            "bad breakpoint at column 38: unknown regular expression flag 'q' (i: ignore case, m: ^ and $ at line ends, s: . matches newlines)") == true)
    }

    @Test func aBreakpointOnAnUnknownPluginNamesTheNearestOne() async throws {
        let (status, lines, _) = try await consoleText("plugins", ["break spelfix"], in: packageRoot)
        #expect(status == 1)
        #expect(lines.first == "error: unknown plugin 'spelfix'; did you mean 'spellfix'?", "\(lines)")
    }

    @Test func aChainCallStopsAtABreakpointToo() async throws {
        let docs = try await json(["break spellfix", #"call query_rewriter.rewrite {"text": "Teh"}"#, "continue"])
        #expect(docs[1]["paused"]?["breakpoint"]?["id"] == 1)
        #expect(docs[2]["value"] == ["text": "the"])
        #expect(docs[2]["finished"] == true)
    }

    @Test func breakpointsSurviveReloadAndAreRecordedInSessions() async throws {
        let dir = TempDir()
        let file = dir.path + "/s.jsonl"
        let docs = try await json(["break spellfix", "record \(file)", "reload", "breaks", Self.trace, "record stop"])
        #expect(docs[3]["breakpoints"]?.arrayValue?.map { $0["spec"] } == ["spellfix"])
        #expect(docs[4]["paused"]?["plugin"] == "spellfix")
        let session = try SessionLines(file)
        #expect(session.entry("reload")?["state"]?["breakpoints"] == [["id": 1, "spec": "spellfix", "hits": 0]])
        // Replayed, the trace stops where it stopped when it was recorded.
        let replay = try await json(["replay \(file)"])
        #expect(replay[0]["entries"]?.arrayValue?.map { $0["verdict"] } == ["same", "same", "same"], "\(replay)")
    }

    // MARK: Going back

    @Test func backSetAndContinueGiveANewOutputAndHistoryKeepsTheOldBranch() async throws {
        let docs = try await json([
            "break spellfix", Self.trace, "continue", "goto spellfix", #"set {"text": "teh cat"}"#, "continue", "history", "history 1",
        ])
        #expect(docs[2]["value"] == ["text": "the fox"])
        #expect(docs[3]["event"] == "goto")
        #expect(docs[3]["value"] == ["text": "teh fox"])
        #expect(docs[3]["next"]?["plugin"] == "spellfix")
        #expect(plugins(docs[5]["stages"]) == ["spellfix", "synonymizer", "tenant-enricher"])
        #expect(docs[5]["value"] == ["text": "the cat"])
        let branches = try #require(docs[6]["branches"]?.arrayValue)
        #expect(branches.count == 2)
        #expect(branches[0]["status"] == "finished")
        #expect(branches[0]["output"] == ["text": "the fox"])
        #expect(branches[0]["current"] == false)
        #expect(branches[1]["origin"] == "set before 3/5 spellfix (from branch 1)")
        #expect(branches[1]["parent"] == 1)
        #expect(branches[1]["forked_at"] == 2)
        #expect(branches[1]["output"] == ["text": "the cat"])
        #expect(branches[1]["steps"]?.arrayValue?.map { "\($0["plugin"]!.stringValue!):\($0["shared"]!.boolValue!)" }
            == ["normalizer:true", "blacklist:true", "spellfix:false", "synonymizer:false", "tenant-enricher:false"])
        #expect(branches[1]["steps"]?[2]?["set"] == ["old": ["text": "teh fox"], "new": ["text": "teh cat"]])
        // The abandoned branch is still there in full.
        #expect(docs[7]["trace"]?["output"] == ["text": "the fox"])
        #expect(plugins(docs[7]["trace"]?["stages"]) == ["normalizer", "blacklist", "spellfix", "synonymizer", "tenant-enricher"])
    }

    @Test func backCountsStagesAndSaysHowFarItCanGo() async throws {
        let docs = try await json(["break synonymizer", Self.trace, "back 2", "back 5", "back"])
        #expect(docs[2]["event"] == "back")
        #expect(docs[2]["next"]?["plugin"] == "blacklist")
        #expect(docs[2]["value"] == ["text": "teh fox"])
        #expect(docs[3]["error"]?["message"] == "only 1 stage to go back: `back 1` goes to the first")
        #expect(docs[4]["next"]?["plugin"] == "normalizer")
        #expect(docs[4]["value"] == ["text": "Teh fox"])
        let lines = try await text(["break synonymizer", Self.trace, "back 2"])
        #expect(lines.contains(#"at 2/5 blacklist (branch 1); it gets {"text":"teh fox"}"#), "\(lines)")
    }

    @Test func withoutAWalkBackGotoAndHistorySayWhatToRunFirst() async throws {
        let docs = try await json(["back", "goto 2", "history"])
        let first = "run one first — `trace KIND.HOOK JSON` (or `step KIND.HOOK JSON` for one stage at a time)"
        #expect(docs[0]["error"]?["message"] == .string("no walk yet: `back` goes back in a walk, the last trace or step session; " + first))
        #expect(docs[1]["error"]?["message"] == .string("no walk yet: `goto` jumps to a stage of a walk, the last trace or step session; " + first))
        #expect(docs[2]["error"]?["message"] == .string("no walk yet: `history` lists the branches of a walk, the last trace or step session; " + first))
    }

    // MARK: One way of showing stages

    @Test func stepVerbsLineUpWithTheTraceTheyGoOnFrom() async throws {
        // The trace stops after two stages; continue shows the other three: one column width, the chain's.
        let lines = try await text(["break spellfix", Self.trace, "continue"])
        #expect(lines.filter { $0.range(of: #"^  \d  "#, options: .regularExpression) != nil }.map { String($0.prefix(35)) } == [
            "  1  normalizer       100   changed",
            "  2  blacklist        75    unchanged",
            "  3  spellfix         60    changed",
            "  4  synonymizer      50    unchanged",
            "  5  tenant-enricher  10    unchanged",
        ].map { String($0.prefix(35)) }, "\(lines)")
        // Folding with --changed works the same in the walk's stages.
        let folded = try await text(["break spellfix", "trace --changed query_rewriter.rewrite {\"text\": \"Teh fox\"}", "continue"])
        #expect(folded.filter { $0.hasPrefix("  · ") } == ["  · 2 blacklist unchanged", "  · 4 synonymizer unchanged, 5 tenant-enricher unchanged"], "\(folded)")
    }

    @Test func aStopChainReadsTheSameInTraceStepCallAndHistory() async throws {
        let rm = #"{"text": "please rm -rf /"}"#
        let lines = try await text([
            "trace query_rewriter.rewrite \(rm)", "step query_rewriter.rewrite \(rm)", "continue", "history", "call query_rewriter.rewrite \(rm)",
        ])
        #expect(lines.filter { $0.contains("stopped by") } == [
            #"  output {"text":"please rm -rf /"}  (stopped by blacklist: STOP_CHAIN)"#,
            #"output {"text":"please rm -rf /"}  (stopped by blacklist: STOP_CHAIN)"#,
            #"      output {"text":"please rm -rf /"}  (stopped by blacklist: STOP_CHAIN)"#,
            #"  output {"text":"please rm -rf /"}  (stopped by blacklist: STOP_CHAIN)"#,
        ], "\(lines)")
    }

    @Test func aStageThatRaisedIsRetriedAfterSet() async throws {
        let dir = Self.raisingChain()
        let docs = try await json([#"step k.f {"n": 1}"#, "next", "next", "next", #"set {"n": 0}"#, "retry", "continue", "history"], dir.path, in: dir.path)
        #expect(docs[2]["stages"]?[0]?["status"] == "error")
        #expect(docs[2]["halted"] == true)
        #expect(docs[2]["paused"] == ["reason": "error", "plugin": "b"])
        #expect(docs[3]["error"]?["message"]
            == "stage 2/3 b raised: `retry` runs it again, `skip` passes the value on without it, `set JSON` changes what it gets, `back` goes back, `abort` ends the walk")
        #expect(docs[5]["event"] == "retried")
        #expect(docs[5]["stages"]?[0]?["after"] == ["n": 0, "b": true])
        #expect(docs[6]["value"] == ["n": 0, "b": true, "c": 0])
        #expect(docs[6]["finished"] == true)
        #expect(docs[7]["branches"]?[0]?["steps"]?[1]?["failed_attempts"] == 1)
        #expect(docs[7]["branches"]?[0]?["steps"]?[1]?["set"] == ["old": ["n": 2], "new": ["n": 0]])
    }

    @Test func retryAfterReloadRunsTheFixedStageWithoutRestartingTheChain() async throws {
        let dir = Self.raisingChain()
        let console = try PipedConsole(arguments: [dir.path, "--json"])
        _ = try await console.send(#"step k.f {"n": 1}"#)
        _ = try await console.send("next")
        let raised = try await console.send("next")
        #expect(raised["halted"] == true)
        dir.write("b/plugin.py", Self.fixedB)
        let reload = try await console.send("reload")
        #expect(reload["step"] == "the walk of k.f goes on with the new code at 2/3 b (`retry` runs the stage that raised again)", "\(reload)")
        let retried = try await console.send("retry")
        #expect(retried["stages"]?[0]?["before"] == ["n": 2])
        #expect(retried["stages"]?[0]?["after"] == ["n": 2, "b": true])
        let done = try await console.send("continue")
        #expect(done["value"] == ["n": 2, "b": true, "c": 20])
        // Stage a ran once: the chain was not started again.
        #expect(plugins(done["trace"]?["stages"]) == ["a", "b", "c"])
        #expect(done["trace"]?["stages"]?[0]?["after"] == ["n": 2])
        // The `next` that raised failed, as a trace that raises does.
        #expect(await console.finish() == 1)
    }

    // MARK: Blame and why

    @Test func blameNamesEveryStageThatChangedThePath() async throws {
        let docs = try await json([Self.seed, "blame /text", "blame /tenant_id", "blame /nope"])
        #expect(docs[1]["changes"] == [
            ["position": 1, "plugin": "normalizer", "by": "normalizer", "middleware": false, "before": "  How to LAUNCH dagstack?  ", "after": "how to launch dagstack?"],
            ["position": 4, "plugin": "synonymizer", "by": "synonymizer", "middleware": false, "before": "how to launch dagstack?", "after": "how to start dagstack?"],
            ["position": 5, "plugin": "tenant-enricher", "by": "tenant-enricher", "middleware": false, "before": "how to start dagstack?",
             "after": "how to start dagstack? microservices python"],
        ])
        #expect(docs[1]["produced_by"] == ["position": 5, "plugin": "tenant-enricher", "by": "tenant-enricher"])
        #expect(docs[2]["changes"] == [])
        #expect(docs[2]["produced_by"] == .null)
        #expect(docs[2]["output"] == "acme-corp")
        #expect(docs[3]["input_has_path"] == false)
        let lines = try await text([Self.seed, "blame /text"])
        #expect(Array(lines.suffix(9)) == [
            "blame /text in query_rewriter.rewrite (the last trace)",
            #"  input              "  How to LAUNCH dagstack?  ""#,
            #"  1 normalizer       "  How to LAUNCH dagstack?  " → "how to launch dagstack?""#,
            "                     [-  How-]{+how+} to [-LAUNCH-]{+launch+} dagstack?[-  -]",
            #"  4 synonymizer      "how to launch dagstack?" → "how to start dagstack?""#,
            "                     how to [-launch-]{+start+} dagstack?",
            #"  5 tenant-enricher  "how to start dagstack?" → "how to start dagstack? microservices python"  ← the output's value"#,
            "                     how to start dagstack?{+ microservices python+}",
            #"  output             "how to start dagstack? microservices python""#,
        ], "\(lines)")
    }

    @Test func blameReadsARecordedTrace() async throws {
        let dir = TempDir()
        let file = dir.path + "/s.jsonl"
        _ = try await json(["record \(file)", Self.seed, #"trace query_rewriter.rewrite {"text": "Teh fox"}"#, "record stop"])
        // Without SEQ: the last trace in the file.
        let docs = try await json(["blame /text \(file)", "blame /text \(file) 1", "blame /text \(file) 9"])
        #expect(docs[0]["source"] == ["file": .string(file), "seq": 2, "line": #"trace query_rewriter.rewrite {"text": "Teh fox"}"#])
        #expect(docs[0]["changes"]?.arrayValue?.map { $0["plugin"] } == ["normalizer", "spellfix"])
        #expect(docs[1]["source"]?["seq"] == 1)
        #expect(docs[1]["produced_by"]?["plugin"] == "tenant-enricher")
        #expect(docs[2]["error"]?["message"]?.stringValue?.contains("no entry 9") == true, "\(docs[2])")
    }

    @Test func whySaysWhyAPluginDidOrDidNotRun() async throws {
        let docs = try await json([
            "disable synonymizer", #"trace query_rewriter.rewrite {"text": "please rm -rf /"}"#, "why synonymizer", "why spellfix",
            "why blacklist", "why blacklist chunker.chunk",
        ])
        #expect(docs[2]["ran"] == false)
        #expect(docs[2]["reasons"]?.arrayValue?.compactMap { $0["code"]?.stringValue }.contains("disabled") == true, "\(docs[2])")
        #expect(docs[3]["ran"] == false)
        #expect(docs[3]["verdict"] == "'spellfix' did not run in the last query_rewriter.rewrite: blacklist stopped the chain at stage 2")
        #expect(docs[4]["ran"] == true)
        #expect(docs[5]["reasons"]?.arrayValue?.compactMap { $0["text"]?.stringValue }
            .contains("'blacklist' is of kind 'query_rewriter'; chunker.chunk dispatches plugins of kind 'chunker' only") == true, "\(docs[5])")
        let lines = try await text(["disable synonymizer", #"trace query_rewriter.rewrite {"text": "please rm -rf /"}"#, "why synonymizer"])
        #expect(Array(lines.suffix(3)) == [
            "why synonymizer in query_rewriter.rewrite: did not run",
            "  'synonymizer' did not run in the last query_rewriter.rewrite: it was switched off",
            "  · you switched it off with `disable synonymizer` (`enable synonymizer` switches it on)",
        ], "\(lines)")
    }

    /// A plugin the last dispatch failed (its call hit the time limit): the error is said once.
    @Test func whySaysTheErrorThatFailedAPluginOnce() async throws {
        let dir = TempDir()
        dir.write("kinds/k/v1.yaml", "kind: k\nkind_api_version: 1.0.0\nhooks:\n  - name: f\n    dispatch: chain\n")
        dir.pythonPlugin("hanger", name: "hanger", kind: "k", code: "import time\nclass Hanger:\n    def f(self, value):\n        time.sleep(60)\n")
        let result = try await consoleText(dir.path, [#"trace k.f {"a": 1}"#, "why hanger"], in: dir.path, extra: ["--call-timeout", "1"])
        let why = Array(result.lines.drop { !$0.hasPrefix("why hanger") })
        #expect(why.contains("  · it is failed: the call below marked it failed"), "\(why)")
        let raised = try #require(why.first { $0.hasPrefix("  · it timed out: Plugin 'hanger'") }, "\(why)")
        let message = String(raised.dropFirst("  · it timed out: ".count))
        #expect(why.filter { $0.contains(message) }.count == 1, "\(why)")
    }

    @Test func whyNamesAMissingHooksNearMiss() async throws {
        let dir = TempDir()
        dir.write("kinds/k/v1.yaml", "kind: k\nkind_api_version: 1.0.0\nhooks:\n  - name: f\n    dispatch: chain\n")
        dir.pythonPlugin("typo", name: "typo", kind: "k", priority: 2, code: "class Typo:\n    def ff(self, value):\n        return value\n")
        dir.pythonPlugin("right", name: "right", kind: "k", priority: 1, code: "class Right:\n    def f(self, value):\n        return value\n")
        let docs = try await json([#"trace k.f {"a": 1}"#, "why typo"], dir.path, in: dir.path)
        #expect(docs[1]["ran"] == false)
        let texts = docs[1]["reasons"]?.arrayValue?.compactMap { $0["text"]?.stringValue } ?? []
        #expect(texts.contains { $0.contains("'ff'") }, "\(docs[1])")
    }

    @Test func whyTellsWhatEachCandidateSaidInCapabilityRouting() async throws {
        let folder = packageRoot + "/Tests/Fixtures/docs/guides_dispatchers_capability/rust-added"
        let call = #"call chunker.chunk {"payload": {"language": "rust", "content": "fn main() {}"}}"#
        let docs = try await json([call, "why rust-chunker", "why fixed"], ".", in: folder)
        #expect(docs[1]["ran"] == true)
        #expect(docs[1]["reasons"]?.arrayValue?.compactMap { $0["text"]?.stringValue } == [
            "it is 3 of 3 active plugins with chunker.chunk, by priority (0) then name",
            "tree-sitter: matches() said no",
            "rust-chunker: supports_languages:rust fits the input → chosen",
            "fixed: fallback — takes the call only when no other plugin matches",
        ])
        #expect(docs[2]["ran"] == false)
    }

    /// `low` lower-cases /text; the middleware `shout` appends "!" to every result around it.
    static func rewritingMiddleware() -> TempDir {
        let dir = TempDir()
        dir.write("kinds/k/v1.yaml", "kind: k\nkind_api_version: 1.0.0\nhooks:\n  - name: f\n    dispatch: chain\n")
        dir.pythonPlugin("low", name: "low", kind: "k", priority: 10, code: "class Low:\n    def f(self, value):\n        return {**value, \"text\": value[\"text\"].lower()}\n")
        dir.pythonPlugin("shout", name: "shout", kind: "horizontal_middleware", priority: 1000, code: """
            class Shout:
                def before(self, ctx, kind, name, hook, args):
                    return None

                def after(self, ctx, kind, name, hook, result):
                    return {**result, "text": result["text"] + "!"}

            """, extra: "[plugin.chain_wrap]\nkinds = [\"k\"]\nhooks = [\"f\"]")
        return dir
    }

    @Test func whatMiddlewareChangedIsToldApartFromThePluginAndBlamedOnIt() async throws {
        let dir = Self.rewritingMiddleware()
        let docs = try await json([#"trace k.f {"text": "Hi There"}"#, "blame /text"], dir.path, in: dir.path)
        let stage = try #require(docs[0]["stages"]?[0])
        #expect(stage["diff"] == [["op": "replace", "path": "/text", "value": "hi there!", "old": "Hi There"]])
        #expect(stage["plugin_diff"] == [["op": "replace", "path": "/text", "value": "hi there", "old": "Hi There"]])
        #expect(stage["middleware"]?[1]?["diff"] == [["op": "replace", "path": "/text", "value": "hi there!", "old": "hi there"]])
        #expect(docs[1]["changes"] == [
            ["position": 1, "plugin": "low", "by": "low", "middleware": false, "before": "Hi There", "after": "hi there"],
            ["position": 1, "plugin": "low", "by": "shout.after", "middleware": true, "before": "hi there", "after": "hi there!"],
        ])
        #expect(docs[1]["produced_by"] == ["position": 1, "plugin": "low", "by": "shout.after"])
        let lines = try await text([#"trace k.f {"text": "Hi There"}"#, "blame /text"], dir.path, in: dir.path)
        #expect(lines.contains { $0.hasPrefix("     ↳ shout.after ") && $0.hasSuffix("  replaced the result") }, "\(lines)")
        #expect(lines.contains(#"         ~ /text  "hi there" → "hi there!""#), "\(lines)")
        #expect(lines.contains(#"  1 low (by shout.after)  "hi there" → "hi there!"  ← the output's value"#), "\(lines)")
    }

    @Test func anErrorIsPrintedOnce() async throws {
        let dir = Self.raisingChain()
        let lines = try await text([#"trace k.f {"n": 5}"#], dir.path, in: dir.path)
        #expect(lines.filter { $0.contains("ValueError: n too big") }.count == 2, "the message and the traceback's last line: \(lines)")
        #expect(lines.filter { $0.contains("PluginError: Plugin 'b' failed") }.count == 1)
        #expect(lines.last == "  chain failed at 2 b (its error is above)")
    }

    // MARK: Timing, again, entering values

    @Test func timingGivesPercentilesPerStage() async throws {
        let docs = try await json([#"timing query_rewriter.rewrite {"text": "Teh fox"} -n 5"#, #"timing query_rewriter.rewrite {"text": "x"} -n 0"#])
        #expect(docs[0]["runs"] == 5)
        let stages = try #require(docs[0]["stages"]?.arrayValue)
        #expect(stages.map { $0["name"] } == ["normalizer", "blacklist", "spellfix", "synonymizer", "tenant-enricher", "governance"])
        #expect(stages.allSatisfy { $0["samples"] == 5 })
        for stage in stages {
            let p50 = stage["p50_us"]!.intValue!, p90 = stage["p90_us"]!.intValue!, p99 = stage["p99_us"]!.intValue!
            #expect(p50 > 0 && p50 <= p90 && p90 <= p99, "\(stage)")
        }
        let shares = stages.compactMap { $0["share"]?.doubleValue } + [docs[0]["rest"]?["share"]?.doubleValue ?? 0]
        #expect(abs(shares.reduce(0, +) - 1) < 0.01, "\(shares)")
        #expect(docs[0]["output"] == ["text": "the fox"])
        #expect(docs[1]["error"] != nil)
        let lines = try await consoleText("plugins", [#"timing query_rewriter.rewrite {"text": "Teh fox"} -n 3"#], in: packageRoot).lines
        #expect(lines.contains("timing query_rewriter.rewrite  3 runs"))
        #expect(lines.contains("                      p50        p90        p99        share"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("     governance (mw)  ") })
        #expect(lines.contains { $0.hasPrefix("     total            ") && $0.hasSuffix("100.0%") })
    }

    @Test func againRunsTheLastTraceWithFieldsChanged() async throws {
        let docs = try await json([Self.seed, #"again /text="LAUNCH it" /tenant_id=null"#, "again", "again /nope/x=1"])
        #expect(docs[1]["input"] == ["text": "LAUNCH it", "tenant_id": nil])
        #expect(docs[1]["output"]?["text"] == "start it")
        #expect(docs[1]["output"]?["tenant_id"] == .null)
        #expect(docs[2]["input"] == ["text": "LAUNCH it", "tenant_id": nil])
        #expect(docs[3]["error"]?["message"]?.stringValue?.contains("/nope does not exist") == true, "\(docs[3])")
        // A trace paused at a breakpoint is the one `again` runs.
        let paused = try await json(["break spellfix", Self.trace, #"again /text="Teh cat""#])
        #expect(paused[2]["input"] == ["text": "Teh cat"])
        #expect(paused[2]["paused"]?["plugin"] == "spellfix")
    }

    @Test func stepHintsOfferIntoOnlyBeforeAPythonStage() async throws {
        let lines = try await consoleText("plugins", [#"step query_rewriter.rewrite {"text": "x"}"#, "next", "next", "next"], in: packageRoot).lines
        #expect(lines.contains("next: 2/5 blacklist (75) — next, into, continue, skip, set JSON, back, abort"), "\(lines)")
        // spellfix is a Perl program over stdio: pdb cannot go into it.
        #expect(lines.contains("next: 3/5 spellfix (60) — next, continue, skip, set JSON, back, abort"), "\(lines)")
        #expect(lines.contains("next: 4/5 synonymizer (50) — next, into, continue, skip, set JSON, back, abort"), "\(lines)")
    }

    @Test func againReadsQuotedFileNamesAsTheShellDoes() async throws {
        let dir = TempDir()
        let whole = dir.write("whole input.json", #"{"text": "Teh dog"}"#)
        let field = dir.write("só text.json", #""LAUNCH it""#)
        let docs = try await json([
            Self.seed, "again =@'\(whole)'", "again /text=@\"\(field)\" /tenant_id=null",
            "again /text=@'\(dir.path)/missing file.json'", "again /text=@'unclosed",
        ])
        #expect(docs[1]["input"] == ["text": "Teh dog"], "\(docs[1])")
        #expect(docs[2]["input"] == ["text": "LAUNCH it", "tenant_id": nil], "\(docs[2])")
        #expect(docs[3]["error"]?["message"] == .string("@\(dir.path)/missing file.json: no such file"), "\(docs[3])")
        #expect(docs[4]["error"]?["message"]?.stringValue?.hasPrefix("unclosed single quote (') at column 14") == true, "\(docs[4])")
    }

    @Test func valuesComeFromFilesExamplesAndSeveralLines() async throws {
        let dir = TempDir()
        let file = dir.write("in put.json", #"{"text": "please rm -rf /"}"#)
        let docs = try await json([
            "trace query_rewriter.rewrite @'\(file)'", "trace query_rewriter.rewrite example[3]", "trace query_rewriter.rewrite example",
            "trace query_rewriter.rewrite example[9]", "trace query_rewriter.rewrite @\(dir.path)/missing.json",
        ])
        #expect(docs[0]["stopped_by"] == "blacklist")
        #expect(docs[1]["input"] == ["text": "please rm -rf /"])
        #expect(docs[2]["input"] == ["text": "  How to LAUNCH dagstack?  ", "tenant_id": "acme-corp"])
        #expect(docs[3]["error"]?["message"] == "example[9]: query_rewriter.rewrite has 3 examples (example[1] … example[3])")
        #expect(docs[4]["error"]?["message"]?.stringValue?.contains("missing.json") == true, "\(docs[4])")
        // A JSON value whose brackets are still open goes on on the next line.
        let env = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }
        let script = "trace query_rewriter.rewrite {\n  \"text\": \"Teh fox\",\n  \"tenant_id\": null\n}\nkinds\n"
        let result = try await run(consoleBinary, ["plugins", "--json"], stdin: script, environment: env, workingDirectory: packageRoot)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(lines)")
        let multi = try JSONValue.parse(lines[0])
        #expect(multi["input"] == ["text": "Teh fox", "tenant_id": nil])
        #expect(multi["output"]?["text"] == "the fox")
    }

    static let usage = "trace [--changed] [--quiet-mw] KIND.HOOK JSON|example[N]|@FILE"

    @Test func changedAndQuietMiddlewareFoldTheStagesThatDidNothing() async throws {
        let lines = try await consoleText("plugins", ["trace --changed --quiet-mw query_rewriter.rewrite {\"text\": \"Teh fox\"}"], in: packageRoot).lines
        let stageLines = lines.filter { $0.hasPrefix("  1 ") || $0.hasPrefix("  3 ") || $0.hasPrefix("  ·") || $0.contains("↳") }
        #expect(stageLines.count == 3, "\(lines)")
        #expect(stageLines[0].hasPrefix("  1  normalizer       100   changed"))
        #expect(stageLines[0].contains("+mw governance ×2"))
        #expect(stageLines[1].hasPrefix("  3  spellfix         60    changed"))
        #expect(stageLines[2] == "  · 2 blacklist unchanged, 4 synonymizer unchanged, 5 tenant-enricher unchanged")
        // The options may also follow the value; an unknown one is refused, not read as JSON.
        let after = try await consoleText("plugins", ["trace query_rewriter.rewrite {\"text\": \"Teh fox\"} --quiet-mw --changed"], in: packageRoot).lines
        #expect(after.filter { $0.hasPrefix("  · ") } == ["  · 2 blacklist unchanged, 4 synonymizer unchanged, 5 tenant-enricher unchanged"], "\(after)")
        let (status, unknown, _) = try await consoleText("plugins", ["trace query_rewriter.rewrite example --loud"], in: packageRoot)
        #expect(status == 1)
        #expect(Array(unknown.prefix(2)) == ["error: unknown option --loud; it takes --changed, --quiet-mw", "usage: \(Self.usage)"], "\(unknown)")
    }
}

/// A session file's entries by their command line.
struct SessionLines {
    let entries: [JSONValue]
    init(_ path: String) throws {
        entries = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map { try JSONValue.parse(String($0)) }
    }
    func entry(_ line: String) -> JSONValue? { entries.first { $0["line"]?.stringValue == line } }
}
