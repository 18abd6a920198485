import Foundation
import PluginSystem
import Testing
import TestSupport

/// pdb in plugin code, at the console's prompt: in a real pseudo-terminal, typed at as a person
/// would; and its fast failure when the console has no terminal to lend.
@Suite(.serialized) struct DebuggerTests {
    static let fixture = "Tests/Fixtures/debugging"

    func start(_ arguments: [String] = [fixture], environment: [String: String] = [:]) async throws -> TerminalSession {
        let history = NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"
        let session = try TerminalSession(arguments: arguments, environment: ["DAGSTACK_CONSOLE_HISTORY": history].merging(environment) { $1 })
        #expect(await session.waitFor("dagstack>"), "\(session.lines)")
        #expect(await session.waitForPrompt())
        return session
    }

    /// Types `line` at pdb's prompt (the console's terminal is raw while pdb has it: no waiting for
    /// libedit) and waits for the next prompt.
    func pdb(_ t: TerminalSession, _ line: String, wait: Bool = true) async {
        let echoed = t.raw.components(separatedBy: line).count
        await t.type(line + "\r", whileRunning: true)
        guard wait else { return }
        // The line's echo first: until then the prompt on the screen is the one it was typed at.
        let until = Date().addingTimeInterval(15)
        while Date() < until && t.raw.components(separatedBy: line).count <= echoed { await t.pump(0.05) }
        #expect(await waitForPdbPrompt(t), "\(t.lines)")
    }

    /// Whether the screen ends with pdb's prompt, with `showing` typed (or recalled) after it.
    func waitForPdbPrompt(_ t: TerminalSession, showing: String = "", seconds: Double = 15) async -> Bool {
        let prompt = showing.isEmpty ? "(Pdb)" : "(Pdb) " + showing
        let until = Date().addingTimeInterval(seconds)
        while Date() < until {
            if t.lines.last(where: { !$0.isEmpty }) == prompt { return true }
            await t.pump(0.05)
        }
        return t.lines.last(where: { !$0.isEmpty }) == prompt
    }

    /// The trace's lines as text, without the times (which differ from run to run).
    static func withoutTimes(_ lines: [String]) -> [String] {
        lines.map {
            $0.replacingOccurrences(of: #"\s+\d+(\.\d+)? (µs|ms|s)( \+ \d+(\.\d+)? (µs|ms|s) in the debugger)?$"#, with: "", options: .regularExpression)
        }
    }

    @Test func aBreakpointInAChainStageOpensPdbAndContinueFinishesTheTraceAsWithout() async throws {
        let input = #"{"text": "hello big world", "pause": true}"#
        let t = try await start()
        await t.type("trace text.rewrite \(input)\r")
        #expect(await t.waitFor("[dagstack] pdb in capitalize.rewrite: c continues the call, q stops it"), "\(t.lines)")
        #expect(await waitForPdbPrompt(t))
        #expect(t.lines.contains("-> print(\"capitalizing\", len(words), \"words\")"), "\(t.lines)")
        await pdb(t, "p words")
        #expect(t.lines.contains("['hello', 'big', 'world']"), "\(t.lines)")
        await pdb(t, "pp query")
        #expect(t.lines.contains("{'pause': True, 'text': 'hello big world'}"), "\(t.lines)")
        await pdb(t, "l")
        #expect(t.lines.contains("  6  ->\t        print(\"capitalizing\", len(words), \"words\")"), "\(t.lines)")
        // Stepping over the print shows it at once; it is still the stage's output afterwards.
        await pdb(t, "n")
        #expect(t.lines.contains("capitalizing 3 words"), "\(t.lines)")
        // Up-arrow brings back the last command (history), Enter runs it.
        await t.type("\u{1B}[A", whileRunning: true)
        #expect(await waitForPdbPrompt(t, showing: "n"), "\(t.lines)")
        await t.type("\u{15}c\r", whileRunning: true)
        #expect(await t.waitFor(#"  output {"text":"Hello Big World!","pause":true}"#), "\(t.lines)")
        #expect(await t.waitForPrompt(), "the console's line editor has the terminal again")
        let start = try #require(t.lines.lastIndex { $0.hasPrefix("trace text.rewrite") && !$0.hasPrefix("trace text.rewrite {") })
        let traced = Array(t.lines[start...].prefix { !$0.hasPrefix("dagstack>") })
        let stage = try #require(traced.first { $0.hasPrefix("  1  capitalize") })
        #expect(stage.range(of: #"changed    \d+(\.\d+)? (µs|ms) \+ \d+(\.\d+)? (ms|s) in the debugger$"#, options: .regularExpression) != nil, "\(stage)")
        // The same trace without the breakpoint (PYTHONBREAKPOINT=0, in batch): the same stages, diffs and output.
        let plain = try await runConsole(
            [Self.fixture, "-c", "trace text.rewrite \(input)"], in: packageRoot, environment: ["PYTHONBREAKPOINT": "0"])
        let expected = plain.stdout.split(separator: "\n").map(String.init)
        #expect(Self.withoutTimes(traced) == Self.withoutTimes(expected))
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
        #expect(t.isCanonical)
    }

    @Test func qStopsThatCallOnlyAndTheConsoleWorksOn() async throws {
        let t = try await start()
        await t.type(#"trace text.rewrite {"text": "a b", "pause": true}"# + "\r")
        #expect(await waitForPdbPrompt(t), "\(t.lines)")
        await pdb(t, "q", wait: false)
        #expect(await t.waitFor("  1  capitalize  30    error"), "\(t.lines)")
        #expect(t.lines.contains("       StoppedInDebugger: Plugin 'capitalize' stopped in the debugger during text.rewrite (q in pdb); it stays active"))
        #expect(t.lines.contains { $0.hasPrefix("  2  raiser      20    not_run") })
        #expect(await t.waitForPrompt(), "the console's line editor has the terminal again")
        await t.type("plugins text\r")
        #expect(await t.waitFor("capitalize  text  30         in_process  active"), "\(t.lines)")
        await t.type(#"trace text.rewrite {"text": "a b"}"# + "\r")
        #expect(await t.waitFor(#"  output {"text":"A B!"}"#), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
        #expect(t.isCanonical)
    }

    @Test func ctrlCInsidePdbAndCtrlDAtItsPromptLeaveTheConsoleUsable() async throws {
        let t = try await start()
        await t.type(#"trace text.rewrite {"text": "a b", "pause": true}"# + "\r")
        #expect(await waitForPdbPrompt(t), "\(t.lines)")
        // As a person would, a moment after the prompt (readline misses a signal that comes before
        // it waits for keys). Ctrl-C goes to pdb, not to the console: the call is not cancelled.
        try await Task.sleep(for: .milliseconds(300))
        await t.type("\u{03}", whileRunning: true)
        #expect(await t.waitFor("(Pdb) --KeyboardInterrupt--"), "\(t.lines)")
        #expect(await waitForPdbPrompt(t))
        await pdb(t, "p len(words)")
        #expect(t.lines.contains("2"))
        await t.type("\u{04}", whileRunning: true)
        #expect(await t.waitFor("StoppedInDebugger: Plugin 'capitalize' stopped in the debugger"), "\(t.lines)")
        #expect(await t.waitForPrompt())
        // Ctrl-C is the console's again: at its prompt it abandons the line.
        await t.type("kinds half typed")
        await t.type("\u{03}")
        #expect(await t.waitFor("dagstack> kinds half typed^C"), "\(t.lines)")
        await t.type(#"trace text.rewrite {"text": "x"}"# + "\r")
        #expect(await t.waitFor(#"  output {"text":"X!"}"#), "\(t.lines)")
        await t.type("\u{04}")
        #expect(await t.waitForExit() == 0)
        #expect(t.isCanonical)
    }

    @Test func tabCompletesTheDebuggingCommandsAndPdbCompletesNames() async throws {
        let t = try await start()
        await t.type("deb\t")
        #expect(await t.waitFor("dagstack> debug"), "\(t.lines)")
        await t.type("text\t")
        #expect(await t.waitFor("dagstack> debug text.rewrite"), "\(t.lines)")
        await t.type("\u{15}pm ra\t")
        #expect(await t.waitFor("dagstack> pm raiser"), "\(t.lines)")
        await t.type("\u{15}" + #"step text.rewrite {"text": "a b", "pause": true}"# + "\r")
        #expect(await t.waitFor("step text.rewrite 1/3 capitalize>"), "\(t.lines)")
        await t.type("in\t")
        #expect(await t.waitFor("step text.rewrite 1/3 capitalize> into"), "\(t.lines)")
        await t.type("\u{15}next\r")
        // pdb's own completion, of the names in the frame.
        #expect(await waitForPdbPrompt(t), "\(t.lines)")
        await t.type("p wor\t", whileRunning: true)
        #expect(await waitForPdbPrompt(t, showing: "p words"), "\(t.lines)")
        await pdb(t, "")
        #expect(t.lines.contains("['a', 'b']"), "\(t.lines)")
        await pdb(t, "c", wait: false)
        #expect(await t.waitFor("step text.rewrite 2/3 raiser>"), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func debugStopsAtTheFirstLineOfThePluginsHook() async throws {
        let t = try await start()
        await t.type(#"debug text.rewrite {"text": "one two"} suffix"# + "\r")
        #expect(await t.waitFor("[dagstack] pdb in suffix.rewrite"), "\(t.lines)")
        #expect(await waitForPdbPrompt(t))
        #expect(t.lines.contains(#"-> return {**query, "text": query["text"] + "!"}"#), "\(t.lines)")
        await pdb(t, "p query")
        #expect(t.lines.contains("{'text': 'One Two'}"), "the stages before ran: \(t.lines)")
        await pdb(t, "c", wait: false)
        #expect(await t.waitFor(#"  output {"text":"One Two!"}"#), "\(t.lines)")
        #expect(t.lines.contains("pdb ran in suffix"))
        // Without PLUGIN: the first Python plugin called, and a middleware named stops in its before().
        #expect(await t.waitForPrompt())
        await t.type(#"debug text.rewrite {"text": "x"}"# + "\r")
        #expect(await t.waitFor("[dagstack] pdb in capitalize.rewrite"), "\(t.lines)")
        #expect(await waitForPdbPrompt(t))
        await pdb(t, "c", wait: false)
        #expect(await t.waitFor(#"  output {"text":"X!"}"#), "\(t.lines)")
        #expect(await t.waitForPrompt())
        await t.type(#"debug text.rewrite {"text": "x"} watcher"# + "\r")
        #expect(await t.waitFor("[dagstack] pdb in watcher.before"), "\(t.lines)")
        #expect(await waitForPdbPrompt(t))
        #expect(t.lines.contains(#"-> value = args["args"][0]"#), "\(t.lines)")
        await pdb(t, "c", wait: false)
        #expect(await t.waitFor(#"  output {"text":"X!"}"#), "\(t.lines)")
        #expect(await t.waitForPrompt())
        await t.type(#"debug text.rewrite {"text": "x"} nobody"# + "\r")
        #expect(await t.waitFor("unknown plugin 'nobody'"), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func intoRunsTheNextStageUnderPdb() async throws {
        let t = try await start()
        await t.type(#"step text.rewrite {"text": "a b"}"# + "\r")
        #expect(await t.waitFor("next: 1/3 capitalize (30) — next, into, continue, skip, set JSON, abort"), "\(t.lines)")
        await t.type("next\r")
        #expect(await t.waitFor("step text.rewrite 2/3 raiser>"))
        await t.type("into\r")
        #expect(await t.waitFor("[dagstack] pdb in raiser.rewrite"), "\(t.lines)")
        #expect(await waitForPdbPrompt(t))
        #expect(t.lines.contains(#"-> words = query["text"].split()"#), "\(t.lines)")
        await pdb(t, "p query")
        #expect(t.lines.contains("{'text': 'A B'}"), "\(t.lines)")
        await pdb(t, "c", wait: false)
        #expect(await t.waitFor("step text.rewrite 3/3 suffix>"), "\(t.lines)")
        #expect(t.lines.contains { $0.range(of: #"^  2  raiser +20 +unchanged +.* in the debugger$"#, options: .regularExpression) != nil }, "\(t.lines)")
        await t.type("continue\r")
        #expect(await t.waitFor(#"output {"text":"A B!"}"#), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func pmLandsInTheRaisingFrame() async throws {
        let t = try await start()
        await t.type(#"trace text.rewrite {"text": "big boom"}"# + "\r")
        #expect(await t.waitFor("ZeroDivisionError: integer division or modulo by zero"), "\(t.lines)")
        #expect(await t.waitForPrompt())
        await t.type("pm\r")
        #expect(await t.waitFor("[dagstack] post-mortem of raiser.rewrite: q (or c) leaves it"), "\(t.lines)")
        #expect(await waitForPdbPrompt(t))
        #expect(t.lines.contains("-> return len(words) // zero"), "\(t.lines)")
        await pdb(t, "p zero, words")
        #expect(t.lines.contains("(0, ['Big', 'Boom'])"), "\(t.lines)")
        await pdb(t, "up")
        #expect(t.lines.contains(#"-> return {**query, "ratio": ratio(words)}"#), "\(t.lines)")
        await pdb(t, "up")
        #expect(t.lines.contains("*** Oldest frame"), "the host's own frames are not shown: \(t.lines)")
        await pdb(t, "q", wait: false)
        #expect(await t.waitFor("post-mortem of raiser.rewrite (ZeroDivisionError: integer division or modulo by zero): left after"), "\(t.lines)")
        #expect(await t.waitForPrompt())
        // A plugin of another runtime is named with what to do instead.
        await t.type("pm capitalize\r")
        #expect(await t.waitFor("error: no exception of 'capitalize' to look at"), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func theTimeLimitWaitsWhilePdbDoes() async throws {
        // Two Python stages without middleware: they run in one exchange, whose limit is paused too.
        let dir = TempDir()
        dir.pythonPlugin("a", name: "a", kind: "k", priority: 2, code: """
            class A:
                def run(self, value):
                    return value + 1
            """)
        dir.pythonPlugin("b", name: "b", kind: "k", priority: 1, code: """
            class B:
                def run(self, value):
                    breakpoint()
                    return value * 10
            """)
        let t = try await start([dir.path, "--call-timeout", "1"])
        await t.type("trace k.run 1\r")
        #expect(await waitForPdbPrompt(t), "\(t.lines)")
        try await Task.sleep(for: .milliseconds(2500))
        await pdb(t, "c", wait: false)
        #expect(await t.waitFor("  output 20"), "\(t.lines)")
        let stage = try #require(t.lines.first { $0.hasPrefix("  2  b") })
        #expect(stage.range(of: #"changed    \d+(\.\d+)? (µs|ms) \+ [2-9]\.\d s in the debugger$"#, options: .regularExpression) != nil, "\(stage)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func aBreakpointInMiddlewareSetUpAndTeardown() async throws {
        let t = try await start()
        await t.type(#"trace text.rewrite {"text": "a", "pause_middleware": true}"# + "\r")
        #expect(await t.waitFor("[dagstack] pdb in watcher.before"), "\(t.lines)")
        #expect(await waitForPdbPrompt(t))
        await pdb(t, "p name")
        #expect(t.lines.contains("'capitalize'"))
        await pdb(t, "c", wait: false)
        #expect(await t.waitFor(#"  output {"text":"A!","pause_middleware":true}"#), "\(t.lines)")
        #expect(t.lines.contains { $0.range(of: #"^     ↳ watcher\.before .* in the debugger$"#, options: .regularExpression) != nil }, "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)

        // startup_timeout_sec and teardown_timeout_sec are 1: pdb waits longer, and nothing times out.
        let history = NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"
        let lifecycle = try TerminalSession(arguments: ["Tests/Fixtures/debugging-lifecycle"], environment: ["DAGSTACK_CONSOLE_HISTORY": history])
        #expect(await lifecycle.waitFor("[dagstack] pdb in paused.setup"), "\(lifecycle.lines)")
        #expect(await waitForPdbPrompt(lifecycle))
        try await Task.sleep(for: .milliseconds(1500))
        await pdb(lifecycle, "p phase")
        #expect(lifecycle.lines.contains("'setup'"))
        await pdb(lifecycle, "c", wait: false)
        #expect(await lifecycle.waitFor("1 plugin, 1 active"), "\(lifecycle.lines)")
        #expect(await lifecycle.waitForPrompt())
        await lifecycle.type("quit\r")
        #expect(await lifecycle.waitFor("[dagstack] pdb in paused.teardown"), "\(lifecycle.lines)")
        #expect(await waitForPdbPrompt(lifecycle))
        try await Task.sleep(for: .milliseconds(1500))
        await pdb(lifecycle, "c", wait: false)
        #expect(await lifecycle.waitForExit() == 0)
        #expect(!lifecycle.lines.contains { $0.contains("teardown_timeout_sec") }, "\(lifecycle.lines)")
        #expect(lifecycle.isCanonical)
    }

    @Test func aStdioPluginCannotHavePdbAndSaysWhatToDoInstead() async throws {
        let t = try await start(["plugins"])
        await t.type(#"debug query_rewriter.rewrite {"text": "x"} spellfix"# + "\r")
        #expect(await t.waitFor("error: 'spellfix' runs over mcp_stdio: its stdin and stdout are the protocol, so pdb cannot have a terminal there;"), "\(t.lines)")
        #expect(t.lines.joined().contains("attach its language's own debugger to its process (pid "))
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func aStdioPluginAskingForTheTerminalIsRefusedSayingWhy() async throws {
        // Even on a terminal: the plugin's own stdin and stdout are the protocol.
        let dir = TempDir()
        dir.stdioPlugin("asker", name: "asker", kind: "k", onCall: """
            print(json.dumps({"jsonrpc": "2.0", "id": "p-1", "method": "debugger.open", "params": {}}), flush=True)
            answer(json.loads(sys.stdin.readline())["error"]["message"])
            """)
        let t = try await start([dir.path])
        await t.type("call k.h\r")
        #expect(await t.waitFor("\"the console lends its terminal to pdb in Python plugins only: a stdio plugin's stdin and stdout are the protocol; attach your language's own debugger to the pid `show PLUGIN` prints (docs/console.md, \\\"Debugging inside a plugin\\\")\""), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func withJSONOutputOnATerminalABreakpointFailsAtOnce() async throws {
        let t = try await start([Self.fixture, "--json"])
        await t.type(#"trace text.rewrite {"text": "a", "pause": true}"# + "\r")
        #expect(await t.waitFor("needs an interactive console: this run has no terminal for a debugger"), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }
}

/// Breakpoints where no one can answer them: scripts, -c, replay.
@Suite struct DebuggerBatchTests {
    static let fixture = "Tests/Fixtures/debugging"
    static let paused = #"trace text.rewrite {"text": "a b", "pause": true}"#

    @Test func aBreakpointFailsAtOnceWithTheDocumentedMessage() async throws {
        let started = ContinuousClock.now
        let result = try await consoleJSON(Self.fixture, [Self.paused], in: packageRoot, extra: ["--call-timeout", "60"])
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 1)
        let stage = try #require(result.documents.first?["stages"]?[0])
        #expect(stage["status"] == "error")
        #expect(stage["error"]?["exception_type"] == "DebuggerUnavailable")
        #expect(stage["error"]?["message"] == .string(
            "Plugin 'capitalize' failed in text.rewrite: DebuggerUnavailable: breakpoint() in capitalize.rewrite needs an interactive console: this run has no terminal for a debugger (-c, a script or a pipe, --json, a replay); set PYTHONBREAKPOINT=0 to make breakpoint() do nothing"))
        // A breakpoint that waited would fail only when the call's time limit (60 s) stopped it, with
        // another error: the stage took well under a second, and the whole run (start-up included,
        // however loaded the machine) under the limit.
        #expect((stage["duration_us"]?.intValue ?? .max) < 1_000_000, "\(stage)")
        #expect(elapsed < .seconds(60), "\(elapsed)")
        // The plugin stays active: the next call works.
        let next = try await consoleJSON(Self.fixture, [Self.paused, #"trace text.rewrite {"text": "a b"}"#, "plugins text"], in: packageRoot)
        #expect(next.documents[1]["output"] == ["text": "A B!"])
        #expect(next.documents[2]["plugins"]?[0]?["state"] == "active")
    }

    @Test func aScriptOnStandardInputSaysSoAndPythonBreakpoint0MakesItANoOp() async throws {
        let script = TempDir()
        let file = script.write("script.txt", Self.paused + "\n")
        let piped = try await run("/bin/sh", ["-c", "\(consoleBinary) \(Self.fixture) --no-color < \(file)"], workingDirectory: packageRoot)
        #expect(piped.stdout.contains("breakpoint() in capitalize.rewrite needs an interactive console: this run has no terminal for a debugger (-c, a script or a pipe, --json, a replay)"), "\(piped.stdout)")
        let disabled = try await consoleJSON(Self.fixture, [Self.paused], in: packageRoot, extra: [])
        #expect(disabled.status == 1)
        let off = try await runConsole([Self.fixture, "--json", "-c", Self.paused], in: packageRoot, environment: ["PYTHONBREAKPOINT": "0"])
        #expect(off.status == 0)
        let trace = try JSONValue.parse(off.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(trace["output"] == ["text": "A B!", "pause": true])
    }

    @Test func debugPmAndIntoNeedATerminal() async throws {
        let result = try await consoleText(
            Self.fixture, [#"debug text.rewrite {"text": "a"}"#, "pm", #"step text.rewrite {"text": "a"}"#, "into"], in: packageRoot)
        #expect(result.lines.contains("error: `debug` needs an interactive console: this run has no terminal for a debugger (-c, a script or a pipe, --json, a replay)"))
        #expect(result.lines.contains("error: `pm` needs an interactive console: this run has no terminal for a debugger (-c, a script or a pipe, --json, a replay)"))
        #expect(result.lines.contains("error: `into` needs an interactive console: this run has no terminal for a debugger (-c, a script or a pipe, --json, a replay)"))
    }

    @Test func aReplayNeverWaitsForADebuggerAndReplaysTheSame() async throws {
        let dir = TempDir()
        let session = dir.path + "/paused.jsonl"
        let recorded = try await runConsole([Self.fixture, "--record", session, "-c", Self.paused], in: packageRoot)
        #expect(recorded.status == 1)
        let started = ContinuousClock.now
        let replay = try await runConsole(["--replay", session, Self.fixture, "--call-timeout", "60"], in: packageRoot)
        // Under the call's time limit: the breakpoint did not wait for it.
        #expect(ContinuousClock.now - started < .seconds(60))
        // The same failure, said the same way whichever run had no terminal: the replay is the same.
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
    }
}
