import Foundation
import Testing
import TestSupport

/// Nothing a plugin starts outlives the console, however it detaches (double fork + setsid, its own
/// process group, a new session, a TERM-ignoring subshell) and however the console ends — SIGKILL
/// included, in a pseudo-terminal and in batch mode, with both kinds of containment. Survivors are
/// looked for by command line over the whole machine (orphans are adopted by init, outside any tree).
@Suite(.serialized) struct OrphanTests {
    static let fixture = packageRoot + "/Tests/Fixtures/orphan-faults"
    /// The `sleep` processes the fixture starts: three from the Python plugin, three from the stdio one.
    static let started = 6
    static let spawnAll = [#"call orphan.spawn "x""#, #"call detach.d_spawn "x""#]

    static func environment(_ marker: String, containment: String) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(["ORPHAN_MARK": marker, "DAGSTACK_CONTAINMENT": containment, "NO_COLOR": "1"]) { $1 }
    }

    /// Waits until every process the fixture starts is running (or the time is up).
    static func waitForAll(_ marker: String) async -> Bool {
        let until = Date().addingTimeInterval(30)
        while Date() < until {
            if processes(matching: marker).count == started { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Waits for `process` without blocking a thread of the cooperative pool (other suites' timed

    /// The console in batch mode, its commands on `-c`, not waited for.
    static func startBatch(_ marker: String, containment: String, commands: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: consoleBinary)
        process.arguments = [fixture] + commands.flatMap { ["-c", $0] }
        process.environment = environment(marker, containment: containment)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test(arguments: ["namespace", "subreaper"])
    func sigkillOfTheConsoleInBatchModeLeavesNothing(containment: String) async throws {
        let marker = uniqueSleepMarker()
        defer { killProcesses(matching: marker) }
        let console = try Self.startBatch(marker, containment: containment, commands: Self.spawnAll + [#"call orphan.hang "x""#])
        defer { if console.isRunning { kill(console.processIdentifier, SIGKILL) } }
        #expect(await Self.waitForAll(marker), "started: \(processes(matching: marker).count) of \(Self.started)")
        kill(console.processIdentifier, SIGKILL)
        _ = await waitForExit(console, seconds: 10)
        let left = await survivors(matching: marker)
        #expect(left.isEmpty, "left behind: \(left.map { ($0, commandLine(of: $0)) })")
    }

    @Test(arguments: [("namespace", SIGTERM), ("namespace", SIGHUP), ("subreaper", SIGTERM), ("namespace", 0)])
    func anyOtherEndInBatchModeLeavesNothing(containment: String, signal: Int32) async throws {
        let marker = uniqueSleepMarker()
        defer { killProcesses(matching: marker) }
        // 0: the commands simply end (the daemons are still running when the last one returns).
        let commands = Self.spawnAll + (signal == 0 ? [] : [#"call orphan.hang "x""#])
        let console = try Self.startBatch(marker, containment: containment, commands: commands)
        defer { if console.isRunning { kill(console.processIdentifier, SIGKILL) } }
        if signal != 0 {
            #expect(await Self.waitForAll(marker))
            kill(console.processIdentifier, signal)
        }
        let exited = await waitForExit(console, seconds: 30)
        #expect(exited)
        guard exited else { return }
        #expect(console.terminationStatus == (signal == 0 ? 0 : 128 + signal))
        let left = await survivors(matching: marker, within: 2)
        #expect(left.isEmpty, "left behind: \(left.map { ($0, commandLine(of: $0)) })")
    }

    @Test(arguments: ["namespace", "subreaper"])
    func sigkillOfTheConsoleInATerminalLeavesNothing(containment: String) async throws {
        let marker = uniqueSleepMarker()
        defer { killProcesses(matching: marker) }
        let t = try TerminalSession(
            arguments: [Self.fixture],
            environment: ["ORPHAN_MARK": marker, "DAGSTACK_CONTAINMENT": containment,
                          "DAGSTACK_CONSOLE_HISTORY": NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"])
        #expect(await t.waitForPrompt(), "\(t.lines)")
        for command in Self.spawnAll {
            await t.type(command + "\r")
            #expect(await t.waitFor("\"spawned\""), "\(t.lines)")
            #expect(await t.waitForPrompt())
        }
        #expect(await Self.waitForAll(marker), "started: \(processes(matching: marker).count) of \(Self.started)")
        kill(t.pid, SIGKILL)
        #expect(await t.waitForExit() == 128 + SIGKILL)
        let left = await survivors(matching: marker)
        #expect(left.isEmpty, "left behind: \(left.map { ($0, commandLine(of: $0)) })")
    }
}
