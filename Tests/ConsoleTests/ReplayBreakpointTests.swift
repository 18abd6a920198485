import Foundation
import PluginSystem
import Testing
import TestSupport

/// A replay at the prompt stops at the user's own breakpoints: the replayed command's walk becomes
/// the step session, and when it ends the replay judges that entry and goes on. Without a person
/// at the prompt (-c, a script, a pipe) it never stops, and says so.
@Suite(.serialized) struct ReplayBreakpointTests {
    static let trace = #"trace query_rewriter.rewrite {"text": "Teh fox"}"#
    static let call = #"call query_rewriter.rewrite {"text": "LAUNCH it"}"#

    /// A recording of `commands` on the shipped plugins (after `before`, which is not recorded).
    static func recording(_ commands: [String], before: [String] = []) async throws -> (dir: TempDir, file: String) {
        let dir = TempDir()
        let file = dir.path + "/s.jsonl"
        let (status, _, stderr) = try await consoleText("plugins", before + ["record \(file)"] + commands + ["record stop"], in: packageRoot)
        #expect(status == 0, "\(stderr)")
        return (dir, file)
    }

    func start(_ arguments: [String] = ["plugins"], environment: [String: String] = [:]) async throws -> TerminalSession {
        let history = ["DAGSTACK_CONSOLE_HISTORY": NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"]
        let session = try TerminalSession(arguments: arguments, environment: history.merging(environment) { $1 })
        #expect(await session.waitFor("dagstack>"), "\(session.lines)")
        #expect(await session.waitForPrompt())
        return session
    }

    @Test func aReplayStopsAtYourBreakpointAndGoesOnWhenItsWalkEnds() async throws {
        let (dir, file) = try await Self.recording([Self.trace, Self.call])
        let t = try await start()
        await t.type("break spellfix\r")
        #expect(await t.waitFor("breakpoint 1: spellfix"))
        await t.type("replay \(file)\r")
        #expect(await t.waitFor("replay s.jsonl 1/2 step query_rewriter.rewrite 3/5 spellfix>"), "\(t.lines)")
        var lines = t.lines
        #expect(lines.contains(#"  1   stopped   trace query_rewriter.rewrite {"text": "Teh fox"}"#), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("  1  normalizer       100   changed") }, "\(lines)")
        #expect(lines.contains("breakpoint 1 (spellfix) — stopped before 3 spellfix"))
        #expect(lines.contains(
            "replay stopped at 1/2 at your breakpoint 1 (spellfix): the walk is yours — when it ends, the replay goes on (`abort` ends it and the replay)"))
        #expect(!lines.contains { $0.hasPrefix("  3  spellfix") })
        // continue runs the walk to its end (its columns line up with the trace's); the entry ran
        // on unchanged, so it is compared, and the replay goes on to the call, which stops too.
        await t.type("continue\r")
        #expect(await t.waitFor("replay s.jsonl 2/2 step query_rewriter.rewrite 3/5 spellfix>"), "\(t.lines)")
        lines = t.lines
        #expect(lines.contains { $0.hasPrefix("  3  spellfix         60    changed") }, "\(lines)")
        #expect(lines.contains(#"output {"text":"the fox"}"#))
        #expect(lines.contains("replay \(file) goes on"))
        #expect(lines.contains(#"  1   same      trace query_rewriter.rewrite {"text": "Teh fox"}"#))
        #expect(lines.contains("        stopped at your breakpoint 1 (spellfix) and ran on unchanged, so it is compared"))
        #expect(lines.contains(#"  2   stopped   call query_rewriter.rewrite {"text": "LAUNCH it"}"#))
        // Another walk cannot start while the replay holds this one.
        await t.type(Self.trace + "\r")
        #expect(await t.waitFor(
            "error: the replay of \(file) stands at 2/2 with its walk: `continue` runs the walk on (then the replay goes on), `abort` ends it and the replay"),
            "\(t.lines)")
        // A walk you change is not compared.
        await t.type(#"set {"text": "teh cat"}"# + "\r")
        #expect(await t.waitFor(#"the next stage gets {"text":"teh cat"}"#))
        await t.type("continue\r")
        #expect(await t.waitFor("1 same, 0 diverged, 1 excluded"), "\(t.lines)")
        lines = t.lines
        #expect(lines.contains(#"output {"text":"the cat"}"#), "\(lines)")
        #expect(lines.contains(#"  2   excluded  call query_rewriter.rewrite {"text": "LAUNCH it"}"#))
        #expect(lines.contains("        not compared: it stopped at your breakpoint 1 (spellfix) and you changed its walk (set a value)"))
        #expect(await t.waitFor("dagstack>"))
        await t.type("breaks\r")
        #expect(await t.waitFor("  1   spellfix                                        2 hits"), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
        withExtendedLifetime(dir) {}
    }

    @Test func theWalkGoesBackWhereTheRecordingStoppedAndAbortStopsTheReplay() async throws {
        // Recorded with a breakpoint of its own at synonymizer (stage 4); yours is at spellfix (3).
        let (dir, file) = try await Self.recording([#"trace query_rewriter.rewrite {"text": "Teh LAUNCH"}"#, "continue", "breaks"], before: ["break synonymizer"])
        let t = try await start()
        await t.type("break spellfix\r")
        await t.type("replay \(file)\r")
        #expect(await t.waitFor("replay s.jsonl 1/3 step query_rewriter.rewrite 3/5 spellfix>"), "\(t.lines)")
        // One stage on, the walk stands where the recorded trace stopped: the replay takes it back
        // there, so the recorded `continue` goes on from the same place and everything compares.
        await t.type("next\r")
        #expect(await t.waitFor("3 same, 0 diverged"), "\(t.lines)")
        var lines = t.lines
        #expect(lines.contains(
            "the walk stands before synonymizer, where the recorded command stopped (the recording's breakpoint 1 (synonymizer)): the replay takes it back"),
            "\(lines)")
        #expect(lines.contains(#"  1   same      trace query_rewriter.rewrite {"text": "Teh LAUNCH"}"#))
        #expect(lines.contains("  2   same      continue"))
        #expect(lines.contains("  3   same      breaks"))
        #expect(await t.waitFor("dagstack>"))
        // abort ends the walk and the replay.
        await t.type("replay \(file)\r")
        #expect(await t.waitFor("replay s.jsonl 1/3 step query_rewriter.rewrite 3/5 spellfix>"), "\(t.lines)")
        await t.type("abort\r")
        #expect(await t.waitFor("0 same, 0 diverged, 1 excluded (2 not replayed)"), "\(t.lines)")
        lines = t.lines
        #expect(lines.contains(#"  1   excluded  trace query_rewriter.rewrite {"text": "Teh LAUNCH"}"#))
        #expect(lines.contains("        not compared: it stopped at your breakpoint 1 (spellfix) and you changed its walk (aborted it)"))
        #expect(await t.waitFor("dagstack>"))
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
        withExtendedLifetime(dir) {}
    }

    /// The JSON documents the console printed at the prompt (`--json` in a terminal).
    func documents(_ t: TerminalSession) throws -> [JSONValue] {
        try t.raw.split(whereSeparator: \.isNewline).compactMap { line -> JSONValue? in
            guard let start = line.range(of: #"{"command":"#)?.lowerBound else { return nil }
            return try JSONValue.parse(String(line[start...]).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    @Test func jsonAtThePromptStopsTooAndCarriesTheReplayOn() async throws {
        let (dir, file) = try await Self.recording([Self.trace, Self.call])
        let t = try await start(["plugins", "--json"])
        await t.type("break spellfix\r")
        await t.type("replay \(file)\r")
        #expect(await t.waitFor("replay s.jsonl 1/2 step query_rewriter.rewrite 3/5 spellfix>"), "\(t.raw)")
        await t.type("continue\r")
        #expect(await t.waitFor("replay s.jsonl 2/2 step query_rewriter.rewrite 3/5 spellfix>"), "\(t.raw)")
        await t.type("continue\r")
        // The screen wraps long lines: wait for the fourth document in the raw output.
        let until = Date().addingTimeInterval(15)
        while try documents(t).count < 4 && Date() < until { await t.pump(0.05) }
        let docs = try documents(t)
        try #require(docs.count == 4, "\(t.raw)")
        #expect(docs.map { $0["command"] } == ["break", "replay", "continue", "continue"], "\(docs)")
        let stopped = docs[1]
        #expect(stopped["entries"] == [])
        #expect(stopped["finished"] == false)
        #expect(stopped["held"]?["seq"] == 1)
        #expect(stopped["held"]?["position"] == 1)
        #expect(stopped["held"]?["of"] == 2)
        #expect(stopped["held"]?["breakpoint"] == 1)
        #expect(stopped["held"]?["line"] == .string(Self.trace))
        #expect(stopped["held"]?["result"]?["command"] == "trace")
        #expect(stopped["held"]?["result"]?["paused"]?["plugin"] == "spellfix")
        #expect(stopped["held"]?["result"]?["stages"]?.arrayValue?.map { $0["plugin"] } == ["normalizer", "blacklist"])
        // The continue that ended the walk: its own result, and the replay's in "replay".
        let first = docs[2]
        #expect(first["finished"] == true)
        #expect(first["value"] == ["text": "the fox"])
        #expect(first["replay"]?["entries"] == [
            ["seq": 1, "line": .string(Self.trace), "verdict": "same", "note": "stopped at your breakpoint 1 (spellfix) and ran on unchanged, so it is compared"],
        ])
        #expect(first["replay"]?["held"]?["seq"] == 2)
        #expect(first["replay"]?["handed_back"] == nil)
        let last = docs[3]
        #expect(last["value"] == ["text": "start it"])
        #expect(last["replay"]?["same"] == 2)
        #expect(last["replay"]?["diverged"] == 0)
        #expect(last["replay"]?["finished"] == true)
        #expect(last["replay"]?["entries"]?.arrayValue?.map { $0["verdict"] } == ["same", "same"])
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
        withExtendedLifetime(dir) {}
    }

    @Test func withoutAPersonAtThePromptAReplayNeverStopsAndSaysSo() async throws {
        let (dir, file) = try await Self.recording([Self.trace, Self.call])
        let why = "a replay stops at them only at an interactive prompt, and this console runs -c commands, a script or a pipe"
        let (status, lines, _) = try await consoleText("plugins", ["break spellfix", "replay \(file)"], in: packageRoot)
        #expect(status == 0)
        let report = Array(lines.drop { !$0.hasPrefix("replay ") }.filter { !$0.isEmpty })
        #expect(Array(report.dropFirst()) == [
            "  your breakpoints did not stop it: " + why,
            #"  1   same      trace query_rewriter.rewrite {"text": "Teh fox"}"#,
            #"  2   same      call query_rewriter.rewrite {"text": "LAUNCH it"}"#,
            "2 same, 0 diverged",
        ], "\(lines)")
        let (_, docs, _) = try await consoleJSON("plugins", ["break spellfix", "replay \(file)", "replay \(file)"], in: packageRoot)
        #expect(docs[1]["breakpoints_not_used"] == .string(why))
        #expect(docs[1]["held"] == nil)
        #expect(docs[1]["entries"]?.arrayValue?.map { $0["verdict"] } == ["same", "same"])
        // The breakpoint was never hit: nothing stopped.
        let (_, again, _) = try await consoleJSON("plugins", ["break spellfix", "replay \(file)", "breaks"], in: packageRoot)
        #expect(again[2]["breakpoints"]?[0]?["hits"] == 0)
        // With no breakpoints of yours there is nothing to say.
        let (_, plain, _) = try await consoleJSON("plugins", ["replay \(file)"], in: packageRoot)
        #expect(plain[0]["breakpoints_not_used"] == nil)
        #expect(plain[0]["same"] == 2)
        withExtendedLifetime(dir) {}
    }

    @Test func updateNeverStopsAtYourBreakpoints() async throws {
        let (dir, file) = try await Self.recording([Self.trace])
        // A person at a terminal, even when the tests themselves run in CI (where --update refuses).
        let t = try await start(environment: ["CI": ""])
        await t.type("break spellfix\r")
        await t.type("replay \(file) --update\r")
        #expect(await t.waitFor("1 same, 0 diverged"), "\(t.lines)")
        #expect(t.lines.contains("  your breakpoints did not stop it: --update accepts what the commands do on their own, without stopping"), "\(t.lines)")
        #expect(await t.waitFor("dagstack>"))
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
        withExtendedLifetime(dir) {}
    }
}
