import Foundation
import Testing
import TestSupport

/// The console in a real pseudo-terminal, typed at as a person would.
@Suite(.serialized) struct TerminalTests {
    static let seedTrace = #"trace query_rewriter.rewrite {"text": "  How to LAUNCH dagstack?  ", "tenant_id": "acme-corp"}"#

    func start(_ arguments: [String] = ["plugins"], history: String? = nil) async throws -> TerminalSession {
        let session = try TerminalSession(
            arguments: arguments, environment: ["DAGSTACK_CONSOLE_HISTORY": history ?? NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"])
        #expect(await session.waitFor("dagstack>"), "\(session.lines)")
        #expect(await session.waitForPrompt())
        return session
    }

    @Test func traceOfTheSeedChainShowsEveryStageAndItsDiff() async throws {
        let t = try await start()
        await t.type(Self.seedTrace + "\r")
        #expect(await t.waitFor("output {\"tenant_id\""), "\(t.lines)")
        let lines = t.lines
        let stages = lines.filter { $0.range(of: #"^  \d  "#, options: .regularExpression) != nil }
        #expect(stages.map { $0.replacingOccurrences(of: #"\s+\d+(\.\d+)? (µs|ms)$"#, with: "", options: .regularExpression) } == [
            "  1  normalizer       100   changed", "  2  blacklist        75    unchanged", "  3  spellfix         60    unchanged",
            "  4  synonymizer      50    changed", "  5  tenant-enricher  10    changed",
        ])
        #expect(lines.contains(#"       ~ /text  "  How to LAUNCH dagstack?  " → "how to launch dagstack?""#))
        #expect(lines.contains("         [-  How-]{+how+} to [-LAUNCH-]{+launch+} dagstack?[-  -]"))
        #expect(lines.contains("         how to [-launch-]{+start+} dagstack?"))
        #expect(lines.contains("         how to start dagstack?{+ microservices python+}"))
        #expect(lines.contains { $0.hasPrefix("     ↳ governance.before") })
        #expect(lines.contains("       log info │ governance: audit: query_rewriter.rewrite -> normalizer"))
        #expect(lines.contains(#"  output {"tenant_id":"acme-corp","text":"how to start dagstack? microservices python"}"#))
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func coloursOnlyOnATerminalAndNeverWhenAskedNotTo() async throws {
        let esc = "\u{1B}["
        let coloured = try TerminalSession(arguments: ["plugins", "-c", "order query_rewriter"], color: true)
        _ = await coloured.waitForExit()
        #expect(coloured.raw.contains(esc + "1morder query_rewriter"), "\(coloured.raw.debugDescription)")
        let flagged = try TerminalSession(arguments: ["plugins", "--no-color", "-c", "order query_rewriter"], color: true)
        _ = await flagged.waitForExit()
        #expect(flagged.raw.contains("order query_rewriter") && !flagged.raw.contains(esc))
        let byEnvironment = try TerminalSession(arguments: ["plugins", "-c", "order query_rewriter"])
        _ = await byEnvironment.waitForExit()
        #expect(byEnvironment.raw.contains("order query_rewriter") && !byEnvironment.raw.contains(esc))
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "NO_COLOR")
        let piped = try await run(consoleBinary, ["plugins", "-c", "order query_rewriter"], environment: environment, workingDirectory: packageRoot)
        #expect(piped.stdout.contains("order query_rewriter") && !piped.stdout.contains(esc))
    }

    @Test func tabCompletesAPluginName() async throws {
        let t = try await start()
        await t.type("show tenant\t")
        #expect(await t.waitFor("dagstack> show tenant-enricher"), "\(t.lines)")
        await t.type("\r")
        #expect(await t.waitFor("Python plugin:TenantEnricher (inferred: plugin.py's only class)"))
        await t.type("tr\t")
        #expect(await t.waitFor("dagstack> trace"))
        await t.type("query\t")
        #expect(await t.waitFor("dagstack> trace query_rewriter.rewrite"), "\(t.lines)")
    }

    @Test func tabCompletesFileNamesWithSpacesAsTheShellWouldTypeThem() async throws {
        let dir = TempDir()
        _ = dir.write("my inputs/só file.json", #"{"text": "Teh dog"}"#)
        let t = try await start()
        // Unquoted: blanks come back escaped, and the word stays open for more.
        await t.type("trace query_rewriter.rewrite @\(dir.path)/my\t")
        #expect(await t.waitFor("dagstack> trace query_rewriter.rewrite @\(dir.path)/my\\ inputs/"), "\(t.lines)")
        await t.type("s\t")
        #expect(await t.waitFor("@\(dir.path)/my\\ inputs/só\\ file.json"), "\(t.lines)")
        await t.type("\r")
        #expect(await t.waitFor("output {\"text\":\"the dog\"}"), "\(t.lines)")
        // Inside an open quote: completed inside it, and closed once the name is whole.
        await t.type("again /text=@'\(dir.path)/my i\t")
        #expect(await t.waitFor("dagstack> again /text=@'\(dir.path)/my inputs/"), "\(t.lines)")
        await t.type("\t")
        #expect(await t.waitFor("dagstack> again /text=@'\(dir.path)/my inputs/só file.json'"), "\(t.lines)")
        await t.type("\r")
        #expect(await t.waitFor(#"  input  {"text":{"text":"Teh dog"}}"#), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func upArrowRecallsHistoryWhichIsKeptPrivately() async throws {
        let history = NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: history) }
        let t = try await start(history: history)
        await t.type("order query_rewriter\r")
        #expect(await t.waitFor("5.   tenant-enricher"))
        await t.type("kinds\r")
        #expect(await t.waitFor("chunk          singleton"))
        await t.type("\u{1B}[A\u{1B}[A")
        #expect(await t.waitFor("dagstack> order query_rewriter"), "\(t.lines)")
        await t.type("\u{15}quit\r")
        #expect(await t.waitForExit() == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: history)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let saved = try String(contentsOfFile: history, encoding: .utf8)
        #expect(saved.contains("order\\040query_rewriter") && saved.contains("kinds"))
        // A new console sees the history of the last one.
        let again = try await start(history: history)
        await again.type("\u{1B}[A")
        #expect(await again.waitFor("dagstack> quit"), "\(again.lines)")
    }

    @Test func ctrlCInterruptsAHangingPluginAndTheConsoleCarriesOn() async throws {
        let t = try await start(["Tests/Fixtures/hook-faults", "--call-timeout", "60"])
        await t.type("call fault.hang 1\r")
        await t.pump(1.0)
        await t.type("\u{03}", whileRunning: true)
        #expect(await t.waitFor("Cancelled: Plugin 'py-faults' was interrupted during fault.hang; it was stopped"), "\(t.lines)")
        #expect(await t.waitForPrompt())
        await t.type("call steady.ping 2\r")
        #expect(await t.waitFor(#"py-ok             {"pong":2,"calls":1}"#), "\(t.lines)")
        await t.type("plugins fault\r")
        #expect(await t.waitFor("py-faults  fault  0          in_process  failed"))
        // Ctrl-C at an idle prompt abandons the line and keeps the console.
        await t.type("kinds half typed")
        #expect(await t.waitFor("dagstack> kinds half typed"))
        await t.type("\u{03}")
        #expect(await t.waitFor("dagstack> kinds half typed^C"), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func ctrlCInABatchOfPythonStagesKeepsTheStagesBeforeAndWhatTheStoppedOneWrote() async throws {
        let t = try await start(["Tests/Fixtures/python-chain", "--call-timeout", "60"])
        await t.type(#"trace pipe.run {"text": "hang"}"# + "\r")
        await t.pump(1.0)
        await t.type("\u{03}", whileRunning: true)
        #expect(await t.waitFor("Cancelled: Plugin 'flaky' was interrupted during pipe.run; it was stopped"), "\(t.lines)")
        #expect(await t.waitForPrompt())
        let lines = t.lines
        #expect(lines.contains { $0.hasPrefix("  1  upper ") && $0.contains("changed") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("  2  flaky ") && $0.contains("error") && $0.range(of: #" [1-9]\.\d\d s$"#, options: .regularExpression) != nil }, "\(lines)")
        #expect(lines.filter { $0.contains("upper saw hang") }.count == 1, "\(lines)")
        #expect(lines.contains { $0.hasSuffix("stdout │ flaky waits for HANG") }, "\(lines)")
        #expect(lines.contains { $0.hasSuffix("stdout │ half a line") }, "\(lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func ctrlDTearsEverythingDownAndLeavesNoChild() async throws {
        let t = try await start()
        let children = descendants(of: t.pid)
        #expect(children.count >= 2, "the Python host and the Perl plugin should be running: \(children)")
        await t.type("\u{04}")
        #expect(await t.waitForExit() == 0)
        #expect(t.isCanonical)
        try await Task.sleep(for: .milliseconds(200))
        #expect(children.filter(processExists).isEmpty)
    }

    /// At the prompt the interpreter the next reload takes is already started; the reload takes it
    /// (and starts the next), and none outlives the console, whether it quits or is killed.
    @Test(arguments: [0, SIGKILL])
    func theSpareInterpreterIsTakenByReloadAndGoesWithTheConsole(signal: Int32) async throws {
        let t = try await start()
        func pythonHosts() -> Set<Int32> {
            outermost(descendants(of: t.pid).filter { commandLine(of: $0).contains(" -u -c # Started as") })
        }
        func waitForTwo() async throws -> Set<Int32> {
            let until = Date().addingTimeInterval(10)
            while Date() < until && pythonHosts().count < 2 { try await Task.sleep(for: .milliseconds(50)) }
            return pythonHosts()
        }
        let before = try await waitForTwo()
        #expect(before.count == 2, "the Python host and its spare: \(before)")
        await t.type("reload\r")
        #expect(await t.waitFor("reloaded plugins: 7 plugins, 7 active"), "\(t.lines)")
        #expect(await t.waitForPrompt())
        let after = try await waitForTwo()
        #expect(after.count == 2, "\(after)")
        // One of the two before it (the spare) is the new host; the old host is gone.
        #expect(before.intersection(after).count == 1, "before \(before), after \(after)")
        if signal == 0 {
            await t.type("quit\r")
            #expect(await t.waitForExit() == 0)
        } else {
            kill(t.pid, signal)
            #expect(await t.waitForExit() == 128 + signal)
        }
        let until = Date().addingTimeInterval(5)
        let all = before.union(after)
        while Date() < until && !all.filter(processExists).isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        #expect(all.filter(processExists).isEmpty, "left behind: \(all.filter(processExists))")
    }

    @Test(arguments: [SIGKILL, SIGTERM, SIGHUP])
    func noPluginProcessOutlivesTheConsole(signal: Int32) async throws {
        let t = try await start()
        let children = descendants(of: t.pid)
        #expect(children.count >= 2)
        #expect(!t.isCanonical, "libedit's prompt has the terminal in raw mode")
        kill(t.pid, signal)
        let status = await t.waitForExit()
        #expect(status == 128 + signal)
        // The terminal is given back as it was (SIGKILL leaves no chance to, by definition).
        if signal != SIGKILL { #expect(t.isCanonical) }
        let until = Date().addingTimeInterval(5)
        while Date() < until && !children.filter(processExists).isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        #expect(children.filter(processExists).isEmpty, "left behind: \(children.filter(processExists))")
    }
}
