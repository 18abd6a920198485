import Foundation
import Testing
import TestSupport

/// Typing while a long command runs, as people do: nothing typed lands on the live progress line or
/// in the command's output; the typed command waits, shows at the next prompt and runs from there.
@Suite(.serialized) struct TypeAheadTests {
    /// One Python stage that takes 12 s: long enough to type into while the whole suite loads the machine (5 s was not).
    static func slowStage() -> TempDir {
        let dir = TempDir()
        dir.write("kinds/k/v1.yaml", "kind: k\nkind_api_version: 1.0.0\nhooks:\n  - name: f\n    dispatch: chain\n")
        dir.pythonPlugin("slow", name: "slow", kind: "k", code: "import time\n\nclass Slow:\n    def f(self, value):\n        time.sleep(12)\n        return {**value, \"slow\": True}\n")
        return dir
    }

    /// What the console wrote after the first `mark` bytes.
    static func since(_ t: TerminalSession, _ mark: Int) -> String {
        String(decoding: Array(t.raw.utf8.dropFirst(mark)), as: UTF8.self)
    }

    /// The console at `dir`, its slow trace running, and where that trace's output starts in `raw`.
    /// A machine that held this test back until the stage was over (the suite's other tests share
    /// two cores) gives nothing to type into: the trace is run again, up to three times.
    func start(_ dir: TempDir) async throws -> (TerminalSession, from: Int) {
        let t = try TerminalSession(
            arguments: [dir.path], environment: ["DAGSTACK_CONSOLE_HISTORY": NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"],
            directory: dir.path)
        #expect(await t.waitFor("dagstack>"), "\(t.lines)")
        #expect(await t.waitForPrompt())
        for _ in 0..<3 {
            let mark = t.raw.utf8.count
            await t.type(#"trace k.f {"b": 2}"# + "\r")
            // In what reached the terminal, not on the screen: the line is redrawn in place ten times a
            // second, and a busy machine may read the screen between two drawings.
            let until = Date().addingTimeInterval(11)
            while Date() < until && !Self.since(t, mark).contains("⧗ stage 1/1 slow · ") { await t.pump(0.05) }
            #expect(Self.since(t, mark).contains("⧗ stage 1/1 slow · "), "\(t.lines)")
            if !Self.since(t, mark).contains("  output") { return (t, mark) }
            #expect(await t.waitForPrompt())
        }
        Issue.record("three times the stage was over before the test could type into it")
        return (t, t.raw.utf8.count)
    }

    @Test func aCommandTypedDuringALongOneWaitsForThePromptAndLeavesTheProgressLineIntact() async throws {
        let (t, from) = try await start(Self.slowStage())
        await t.type("kinds\r", whileRunning: true)
        // This trace's output (an earlier try's may be on the screen too).
        let until = Date().addingTimeInterval(40)
        while Date() < until && !Self.since(t, from).contains("  output") { await t.pump(0.05) }
        // Nothing typed reached the terminal while the trace ran: the progress line was redrawn
        // whole each time and erased at the end.
        let raw = Self.since(t, from)
        let ran = try #require(raw.range(of: "  output"))
        #expect(!raw[..<ran.lowerBound].contains("kinds"), "\(raw.debugDescription)")
        #expect(!t.lines.contains { $0.contains("⧗") }, "\(t.lines)")
        // Then the typed command shows at the prompt and runs.
        #expect(await t.waitFor("  f              chain"), "\(t.lines)")
        let output = try #require(t.lines.lastIndex(of: #"  output {"b":2,"slow":true}"#))
        let typed = try #require(t.lines.firstIndex(of: "dagstack> kinds"), "\(t.lines)")
        #expect(typed > output, "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func aLineStartedDuringACommandGoesOnAtThePromptWhichEchoesAsEver() async throws {
        let (t, _) = try await start(Self.slowStage())
        // Half a command, no Return yet: it waits at the prompt, to be finished there.
        await t.type("kin", whileRunning: true)
        #expect(await t.waitFor(#"  output {"b":2,"slow":true}"#, seconds: 40), "\(t.lines)")
        #expect(await t.waitFor("dagstack> kin"), "\(t.lines)")
        await t.type("ds\r")
        #expect(await t.waitFor("  f              chain"), "\(t.lines)")
        // Typing at the prompt echoes as ever.
        await t.type("help orde")
        #expect(await t.waitFor("dagstack> help orde"), "\(t.lines)")
        await t.type("r\r")
        #expect(await t.waitFor("order KIND[.HOOK]"), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
        #expect(t.isCanonical)
    }
}
