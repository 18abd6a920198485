import Foundation
import Testing
import TestSupport

/// The debugger at a real prompt in a pseudo-terminal: breakpoints turning a trace into a step
/// session, going back and forking, retry after a reload fixed a stage, and the live progress line.
@Suite(.serialized) struct DebuggerTerminalTests {
    func start(_ arguments: [String] = ["plugins"], directory: String = packageRoot) async throws -> TerminalSession {
        let session = try TerminalSession(
            arguments: arguments, environment: ["DAGSTACK_CONSOLE_HISTORY": NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"],
            directory: directory)
        #expect(await session.waitFor("dagstack>"), "\(session.lines)")
        #expect(await session.waitForPrompt())
        return session
    }

    @Test func aBreakpointTurnsATraceIntoAStepSessionAtThePrompt() async throws {
        let t = try await start()
        await t.type("break spellfix\r")
        #expect(await t.waitFor("breakpoint 1: spellfix"))
        await t.type(#"trace query_rewriter.rewrite {"text": "Teh fox"}"# + "\r")
        #expect(await t.waitFor("breakpoint 1 (spellfix) — stopped before 3 spellfix"), "\(t.lines)")
        #expect(await t.waitFor("step query_rewriter.rewrite 3/5 spellfix>"), "\(t.lines)")
        // Only the stages before the breakpoint ran.
        #expect(t.lines.contains { $0.hasPrefix("  2  blacklist") })
        #expect(!t.lines.contains { $0.hasPrefix("  3  spellfix") })
        await t.type("continue\r")
        #expect(await t.waitFor(#"output {"text":"the fox"}"#), "\(t.lines)")
        #expect(await t.waitFor("dagstack>"))
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func backSetAndContinueGiveANewOutputWhileHistoryKeepsTheOldBranch() async throws {
        let t = try await start()
        await t.type("break synonymizer\r")
        await t.type(#"trace query_rewriter.rewrite {"text": "LAUNCH it"}"# + "\r")
        #expect(await t.waitFor("step query_rewriter.rewrite 4/5 synonymizer>"), "\(t.lines)")
        await t.type("continue\r")
        #expect(await t.waitFor(#"output {"text":"start it"}"#), "\(t.lines)")
        await t.type("back 2\r")
        #expect(await t.waitFor(#"at 4/5 synonymizer (branch 1); it gets {"text":"launch it"}"#), "\(t.lines)")
        #expect(await t.waitFor("step query_rewriter.rewrite 4/5 synonymizer>"))
        await t.type(#"set {"text": "setup it"}"# + "\r")
        #expect(await t.waitFor(#"the next stage gets {"text":"setup it"}"#))
        await t.type("continue\r")
        #expect(await t.waitFor(#"output {"text":"configuration it"}"#), "\(t.lines)")
        await t.type("history\r")
        #expect(await t.waitFor("history query_rewriter.rewrite  2 branches"), "\(t.lines)")
        let lines = t.lines
        #expect(lines.contains("   1  start  finished"), "\(lines)")
        #expect(lines.contains(#"      output {"text":"start it"}"#))
        #expect(lines.contains(" * 2  set before 4/5 synonymizer (from branch 1)  finished"))
        #expect(lines.contains(#"      output {"text":"configuration it"}"#))
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func retryAfterReloadRunsTheFixedStage() async throws {
        let dir = DebuggerCommandTests.raisingChain()
        let t = try await start([dir.path], directory: dir.path)
        await t.type(#"step k.f {"n": 1}"# + "\r")
        #expect(await t.waitFor("step k.f 1/3 a>"), "\(t.lines)")
        await t.type("next\r")
        #expect(await t.waitFor("step k.f 2/3 b>"))
        await t.type("next\r")
        #expect(await t.waitFor("ValueError: n too big"), "\(t.lines)")
        #expect(await t.waitFor("step k.f 2/3 b raised>"), "\(t.lines)")
        dir.write("b/plugin.py", DebuggerCommandTests.fixedB)
        await t.type("reload\r")
        #expect(await t.waitFor("step: the walk of k.f goes on with the new code at 2/3 b (`retry` runs the stage that raised again)"), "\(t.lines)")
        await t.type("retry\r")
        #expect(await t.waitFor("+ /b  true"), "\(t.lines)")
        #expect(await t.waitFor("step k.f 3/3 c>"))
        await t.type("continue\r")
        #expect(await t.waitFor(#"output {"n":2,"b":true,"c":20}"#), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    /// `fast` then `slow` (2 s), both Python: a trace runs them in one exchange, a step one by one.
    static func slowChain() -> TempDir {
        let dir = TempDir()
        dir.write("kinds/k/v1.yaml", "kind: k\nkind_api_version: 1.0.0\nhooks:\n  - name: f\n    dispatch: chain\n")
        dir.pythonPlugin("fast", name: "fast", kind: "k", priority: 20, code: "class Fast:\n    def f(self, value):\n        return value\n")
        dir.pythonPlugin("slow", name: "slow", kind: "k", priority: 10, code: """
            import time

            class Slow:
                def f(self, value):
                    time.sleep(2)
                    return {**value, "slow": True}

            """)
        return dir
    }

    @Test func theProgressLineShowsWhileAStageRunsAndIsGoneAfter() async throws {
        let dir = Self.slowChain()
        let t = try await start([dir.path], directory: dir.path)
        await t.type(#"step k.f {"a": 1}"# + "\r")
        await t.type("next\r")
        #expect(await t.waitFor("step k.f 2/2 slow>"), "\(t.lines)")
        await t.type("next\r")
        #expect(await t.waitFor("⧗ stage 2/2 slow · ", seconds: 1.9), "\(t.lines)")
        #expect(await t.waitFor(#"+ /slow  true"#), "\(t.lines)")
        await t.pump(0.3)
        let left = t.lines.filter { $0.contains("⧗") }
        #expect(left.isEmpty, "\(left) in \(t.lines)")
        // Redrawn in place with the time so far; never more than one line.
        #expect(t.raw.contains("⧗ stage 2/2 slow · 1."), "\(t.raw.debugDescription)")
        #expect(t.raw.contains("\r\u{1B}[K⧗ stage 2/2 slow"))
        // A trace runs the two Python stages in one exchange, and says so.
        await t.type(#"trace k.f {"b": 2}"# + "\r")
        #expect(await t.waitFor("⧗ stages 1–2/2 fast, slow (one exchange) · ", seconds: 1.9), "\(t.lines)")
        #expect(await t.waitFor(#"  output {"b":2,"slow":true}"#), "\(t.lines)")
        await t.pump(0.3)
        let leftAfterTrace = t.lines.filter { $0.contains("⧗") }
        #expect(leftAfterTrace.isEmpty, "\(leftAfterTrace) in \(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func noProgressLineInJSONOrWhenStandardErrorIsNotATerminal() async throws {
        let dir = Self.slowChain()
        let json = try TerminalSession(arguments: [dir.path, "--json", "-c", #"trace k.f {"a": 1}"#], directory: dir.path)
        #expect(await json.waitForExit() == 0)
        #expect(json.raw.contains(#""output":{"a":1,"slow":true}"#), "\(json.raw)")
        #expect(!json.raw.contains("⧗"))
        let piped = try await runConsole([dir.path, "-c", #"trace k.f {"a": 1}"#], in: dir.path)
        #expect(piped.stdout.contains(#"output {"a":1,"slow":true}"#))
        #expect(!piped.stderr.contains("⧗") && !piped.stdout.contains("⧗"))
    }

    @Test func tabCompletesBreakpointsStagesExamplesAndPaths() async throws {
        let t = try await start()
        await t.type("break spe\t")
        #expect(await t.waitFor("dagstack> break spellfix"), "\(t.lines)")
        await t.type("\r")
        await t.type("trace query_rewriter.rewrite exa\t")
        #expect(await t.waitFor("dagstack> trace query_rewriter.rewrite example"), "\(t.lines)")
        await t.type("[3]\r")
        #expect(await t.waitFor("(stopped by blacklist: STOP_CHAIN)"), "\(t.lines)")
        await t.type("blame /te\t")
        #expect(await t.waitFor("dagstack> blame /text"), "\(t.lines)")
        await t.type("\r")
        #expect(await t.waitFor("blame /text in query_rewriter.rewrite (the last trace)"), "\(t.lines)")
        await t.type("delete a\t")
        #expect(await t.waitFor("dagstack> delete all"), "\(t.lines)")
        await t.type("\u{15}quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func aJSONValueGoesOnOnTheNextLineWithAContinuationPrompt() async throws {
        let t = try await start()
        await t.type("trace query_rewriter.rewrite {\r")
        #expect(await t.waitFor("\n...>"), "\(t.lines)")
        await t.type(#""text": "Teh fox"}"# + "\r")
        #expect(await t.waitFor(#"output {"text":"the fox"}"#), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }
}
