import Foundation
import Testing
import TestSupport

/// Typing while a long command runs, as people do: nothing typed lands on the live progress line or
/// in the command's output; the typed command waits, shows at the next prompt and runs from there.
@Suite(.serialized) struct TypeAheadTests {
    @Test func aCommandTypedDuringALongOneWaitsForThePromptAndLeavesTheProgressLineIntact() async throws {
        let dir = DebuggerTerminalTests.slowChain()
        let t = try TerminalSession(
            arguments: [dir.path], environment: ["DAGSTACK_CONSOLE_HISTORY": NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"],
            directory: dir.path)
        #expect(await t.waitFor("dagstack>"), "\(t.lines)")
        #expect(await t.waitForPrompt())
        await t.type(#"trace k.f {"b": 2}"# + "\r")
        #expect(await t.waitFor("⧗ stages 1–2/2 fast, slow (one exchange) · ", seconds: 1.9), "\(t.lines)")
        await t.type("kinds\r", whileRunning: true)
        await t.pump(0.5)
        // Still running: the progress line is whole, and what was typed is nowhere on the screen yet.
        let progress = t.lines.filter { $0.contains("⧗") }
        #expect(progress.count == 1, "\(t.lines)")
        #expect(progress.first?.range(of: #"^⧗ stages 1–2/2 fast, slow \(one exchange\) · [0-9]\.[0-9] s — Ctrl-C stops it$"#, options: .regularExpression) != nil,
                "\(progress)")
        #expect(!t.lines.contains { $0.contains("kinds") }, "\(t.lines)")
        #expect(!t.raw.contains("kinds"), "\(t.raw.debugDescription)")
        // The trace ends cleanly, then the typed command shows at the prompt and runs.
        #expect(await t.waitFor(#"  output {"b":2,"slow":true}"#), "\(t.lines)")
        #expect(await t.waitFor("dagstack> kinds"), "\(t.lines)")
        #expect(await t.waitFor("2 plugins"), "\(t.lines)")
        let output = try #require(t.lines.firstIndex(of: #"  output {"b":2,"slow":true}"#))
        #expect(t.lines[output + 1] == "dagstack> kinds", "\(t.lines)")
        #expect(!t.lines.contains { $0.contains("⧗") }, "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func aLineStartedDuringACommandGoesOnAtThePromptWhichEchoesAsEver() async throws {
        let dir = DebuggerTerminalTests.slowChain()
        let t = try TerminalSession(
            arguments: [dir.path], environment: ["DAGSTACK_CONSOLE_HISTORY": NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"],
            directory: dir.path)
        #expect(await t.waitFor("dagstack>"), "\(t.lines)")
        await t.type(#"trace k.f {"b": 2}"# + "\r")
        #expect(await t.waitFor("⧗ stages", seconds: 1.9), "\(t.lines)")
        // Half a command, no Return yet: it is waiting at the prompt, to be finished there.
        await t.type("kin", whileRunning: true)
        #expect(await t.waitFor(#"  output {"b":2,"slow":true}"#), "\(t.lines)")
        #expect(await t.waitFor("dagstack> kin"), "\(t.lines)")
        await t.type("ds\r")
        #expect(await t.waitFor("2 plugins"), "\(t.lines)")
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
