import Foundation
import PluginHosts
import PluginSystem
import Testing
import TestSupport

/// A stdio plugin's program starts while the directory loads, so that its own start overlaps the
/// interpreter hosts' — but never before the set-up of the plugins it depends on, and never left
/// running for a plugin that is not set up.
@Suite struct StdioEarlyStartTests {
    /// A stdio program that, when it starts, says so in a file and reads `made.txt` (written by the
    /// `maker` plugin's set-up), and answers `said` with what it read.
    static func reader(_ dir: TempDir, dependsOnMaker: Bool, marker: String = "reader") {
        dir.plugin("reader", name: "reader", kind: "fault", runtime: "mcp_stdio", extra: """
            command = ["python3", "server.py", "\(marker)"]
            \(dependsOnMaker ? #"depends_on = ["maker"]"# : "")
            """)
        dir.write("reader/server.py", """
            import json, os, sys
            open(os.path.join("..", "reader.started"), "w").write("started")
            try:
                SAW = open(os.path.join("..", "made.txt")).read()
            except OSError:
                SAW = "nothing"
            for line in sys.stdin:
                request = json.loads(line)
                rid, method = request.get("id"), request["method"]
                if method == "initialize":
                    print(json.dumps({"jsonrpc": "2.0", "id": rid, "result": {"hooks": ["said"]}}), flush=True)
                elif method == "shutdown":
                    print(json.dumps({"jsonrpc": "2.0", "id": rid, "result": None}), flush=True)
                    break
                else:
                    print(json.dumps({"jsonrpc": "2.0", "id": rid, "result": SAW}), flush=True)
            """)
        dir.plugin("maker", name: "maker", kind: "maker")
        dir.write("maker/plugin.py", """
            import os, time

            class Maker:
                def setup(self, ctx):
                    time.sleep(0.3)
                    with open(os.path.join(os.path.dirname(__file__), "..", "made.txt"), "w") as f:
                        f.write("made in set-up")
            """)
    }

    @Test func aProgramWhosePluginDependsOnOthersStartsAfterTheirSetUp() async throws {
        let dir = TempDir()
        Self.reader(dir, dependsOnMaker: true)
        let loaded = await PluginDirectory.load(dir.path)
        #expect(loaded.registry.record(named: "reader")?.lifecycle == .active, "\(loaded.problems)")
        let reply = try await SingletonDispatcher(loaded.registry).dispatch("fault", "said", HookArguments([])).reply
        #expect(reply.output.value == "made in set-up")
        await loaded.close()
    }

    @Test func aProgramStartedEarlyForAPluginThatIsNotSetUpIsStopped() async throws {
        let dir = TempDir()
        let marker = uniqueSleepMarker()
        Self.reader(dir, dependsOnMaker: false, marker: marker)
        defer { killProcesses(matching: marker) }
        // An application config that does not load: no plugin is set up.
        dir.write("app-config.yaml", "plugins: [unclosed\n")
        let loaded = await PluginDirectory.load(dir.path)
        #expect(loaded.registry.record(named: "reader")?.lifecycle != .active)
        // The program was started with the load (give it time to say so: it may also have been
        // stopped before it could); once the load is over it must be gone.
        try await waitUntil(seconds: 1) { FileManager.default.fileExists(atPath: dir.path + "/reader.started") }
        let left = await survivors(matching: marker)
        #expect(left.isEmpty, "left running: \(left)")
        await loaded.close()
    }
}
