import Foundation
import Testing
import TestSupport

/// What plugins say reaches the terminal as text, never as control sequences: a screen the console
/// prints can be believed.
@Suite(.serialized) struct TerminalEscapingTests {
    /// A plugin whose output, logs and errors carry escape sequences (retitle the window, clear the screen).
    func noisyPlugin() -> TempDir {
        let dir = TempDir()
        dir.pythonPlugin("noisy", name: "noisy", kind: "k", code: #"""
            import logging

            class Noisy:
                def h(self, value):
                    print("out \x1b]0;owned\x07\x1b[2J")
                    logging.getLogger("noisy").warning("log \x1b[31mred\r")
                    if value.get("fail"):
                        raise ValueError("bad \x1b[2J\x9b1m")
                    return value
            """#)
        return dir
    }

    @Test(arguments: [false, true])
    func controlCharactersFromAPluginAreShownEscapedInText(colour: Bool) async throws {
        let dir = noisyPlugin()
        let t = try TerminalSession(
            arguments: [dir.path, "-c", #"trace k.h {}"#, "-c", #"trace k.h {"fail": true}"#], directory: dir.path, color: colour)
        // The whole suite runs beside it on two cores: give the interpreter time to start.
        #expect(await t.waitForExit(seconds: 60) == 1, "\(t.raw.debugDescription)")
        #expect(t.raw.contains(#"out \e]0;owned\a\e[2J"#), "\(t.raw.debugDescription)")
        #expect(t.raw.contains(#"log \e[31mred\r"#), "\(t.raw.debugDescription)")
        #expect(t.raw.contains(#"bad \e[2J\u009b1m"#), "\(t.raw.debugDescription)")
        #expect(!t.raw.contains("\u{1B}]0") && !t.raw.contains("\u{1B}[2J") && !t.raw.contains("\u{1B}[31mred"))
        #expect(!t.raw.contains("\u{9B}"))
    }
}
