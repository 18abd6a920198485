import Foundation
import PluginSystem
import Testing
import TestSupport

/// A call stopped at its time limit says where the plugin's code was: its innermost frames, with
/// file, line and the source line, whether it spun in a loop or awaited for ever.
@Suite(.serialized) struct HangLocationTests {
    @Test func aPythonLoopAndAnEndlessAwaitAreShownWhereTheyWere() async throws {
        let dir = TempDir()
        dir.pythonPlugin("spins", name: "spins", kind: "spin", code: """
            def spin():
                while True:
                    pass


            class Spins:
                def f(self, value):
                    spin()
            """)
        dir.pythonPlugin("waits", name: "waits", kind: "wait", code: """
            import asyncio


            class Waits:
                async def f(self, value):
                    await asyncio.sleep(1e9)
            """)
        let (_, lines, stderr) = try await consoleText(
            dir.path, ["call spin.f 1", "call wait.f 1"], in: dir.path, extra: ["--call-timeout", "1", "--no-color"])
        let spins = "\(dir.path)/spins/plugin.py", waits = "\(dir.path)/waits/plugin.py"
        let text = lines.joined(separator: "\n")
        let spun = try #require(lines.first { $0.contains("PluginTimeout: Plugin 'spins' did not answer spin.f within 1s") }, "\(text)\n\(stderr)")
        #expect(spun.contains("; it was stopped; its code was at \(spins):2 in spin;") || spun.contains("; it was stopped; its code was at \(spins):3 in spin;"),
                "\(text)")
        #expect(text.contains([
            "    Stopped at (most recent call last):",
            "      File \"\(spins)\", line 8, in f",
            "        spin()",
            "      File \"\(spins)\", line ",
        ].joined(separator: "\n")), "\(text)")
        let waited = try #require(lines.first { $0.contains("PluginTimeout: Plugin 'waits' did not answer wait.f within 1s") }, "\(text)")
        #expect(waited.contains("; it was stopped; its code was at \(waits):6 in f;"), "\(text)")
        #expect(text.contains([
            "    Stopped at (most recent call last):",
            "      File \"\(waits)\", line 6, in f",
            "        await asyncio.sleep(1e9)",
        ].joined(separator: "\n")), "\(text)")
    }

    /// Spinning JavaScript runs no signal handler: the Node host's worker thread pauses it through
    /// the inspector, and the frames are the TypeScript file's lines.
    @Test func aNodeLoopIsShownAtItsTypeScriptLine() async throws {
        let dir = TempDir()
        dir.plugin("spins", name: "spins", kind: "spin")
        dir.write("spins/plugin.ts", """
            function spin(n: number): number {
              while (true) {
                n += 1;
              }
            }

            export class Spins {
              f(value: number): number {
                return spin(value);
              }
            }
            """)
        let (_, lines, stderr) = try await consoleText(dir.path, ["call spin.f 1"], in: dir.path, extra: ["--call-timeout", "1", "--no-color"])
        let file = "\(dir.path)/spins/plugin.ts"
        let text = lines.joined(separator: "\n")
        let spun = try #require(lines.first { $0.contains("PluginTimeout: Plugin 'spins' did not answer spin.f within 1s") }, "\(text)\n\(stderr)")
        #expect(spun.contains("; it was stopped; its code was at \(file):2 in spin;") || spun.contains("; it was stopped; its code was at \(file):3 in spin;"),
                "\(text)")
        #expect(text.contains([
            "    Stopped at (most recent call last):",
            "      File \"\(file)\", line 9, in f",
            "        return spin(value);",
            "      File \"\(file)\", line ",
        ].joined(separator: "\n")), "\(text)")
    }
}
