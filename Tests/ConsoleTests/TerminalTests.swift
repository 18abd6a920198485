import Foundation
import Testing
import TestSupport

/// The console in a real pseudo-terminal, typed at as a person would.
@Suite(.serialized) struct TerminalTests {
    static let seedTrace = #"trace query_rewriter.rewrite {"text": "  How to LAUNCH dagstack?  ", "tenant_id": "acme-corp"}"#

    func start(_ arguments: [String] = ["plugins"], history: String? = nil) throws -> TerminalSession {
        let session = try TerminalSession(
            arguments: arguments, environment: ["DAGSTACK_CONSOLE_HISTORY": history ?? NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"])
        #expect(session.waitFor("dagstack>"), "\(session.lines)")
        #expect(session.waitForPrompt())
        return session
    }

    @Test func traceOfTheSeedChainShowsEveryStageAndItsDiff() throws {
        let t = try start()
        t.type(Self.seedTrace + "\r")
        #expect(t.waitFor("output {\"tenant_id\""), "\(t.lines)")
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
        t.type("quit\r")
        #expect(t.waitForExit() == 0)
    }

    @Test func tabCompletesAPluginName() throws {
        let t = try start()
        t.type("show tenant\t")
        #expect(t.waitFor("dagstack> show tenant-enricher"), "\(t.lines)")
        t.type("\r")
        #expect(t.waitFor("Python plugin:TenantEnricher (inferred: plugin.py's only class)"))
        t.type("tr\t")
        #expect(t.waitFor("dagstack> trace"))
        t.type("query\t")
        #expect(t.waitFor("dagstack> trace query_rewriter.rewrite"), "\(t.lines)")
    }

    @Test func upArrowRecallsHistoryWhichIsKeptPrivately() throws {
        let history = NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: history) }
        let t = try start(history: history)
        t.type("order query_rewriter\r")
        #expect(t.waitFor("5.   tenant-enricher"))
        t.type("kinds\r")
        #expect(t.waitFor("chunk          singleton"))
        t.type("\u{1B}[A\u{1B}[A")
        #expect(t.waitFor("dagstack> order query_rewriter"), "\(t.lines)")
        t.type("\u{15}quit\r")
        #expect(t.waitForExit() == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: history)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let saved = try String(contentsOfFile: history, encoding: .utf8)
        #expect(saved.contains("order\\040query_rewriter") && saved.contains("kinds"))
        // A new console sees the history of the last one.
        let again = try start(history: history)
        again.type("\u{1B}[A")
        #expect(again.waitFor("dagstack> quit"), "\(again.lines)")
    }

    @Test func ctrlCInterruptsAHangingPluginAndTheConsoleCarriesOn() throws {
        let t = try start(["Tests/Fixtures/hook-faults", "--call-timeout", "60"])
        t.type("call fault.hang 1\r")
        t.pump(1.0)
        t.type("\u{03}", whileRunning: true)
        #expect(t.waitFor("Cancelled: Plugin 'py-faults' was interrupted during fault.hang; it was stopped"), "\(t.lines)")
        #expect(t.waitForPrompt())
        t.type("call steady.ping 2\r")
        #expect(t.waitFor(#"py-ok             {"pong":2,"calls":1}"#), "\(t.lines)")
        t.type("plugins fault\r")
        #expect(t.waitFor("py-faults  fault  0          in_process  failed"))
        // Ctrl-C at an idle prompt abandons the line and keeps the console.
        t.type("kinds half typed")
        #expect(t.waitFor("dagstack> kinds half typed"))
        t.type("\u{03}")
        #expect(t.waitFor("dagstack> kinds half typed^C"), "\(t.lines)")
        t.type("quit\r")
        #expect(t.waitForExit() == 0)
    }

    @Test func ctrlDTearsEverythingDownAndLeavesNoChild() throws {
        let t = try start()
        let children = descendants(of: t.pid)
        #expect(children.count >= 2, "the Python host and the Perl plugin should be running: \(children)")
        t.type("\u{04}")
        #expect(t.waitForExit() == 0)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(children.filter(processExists).isEmpty)
    }

    @Test(arguments: [SIGKILL, SIGTERM, SIGHUP])
    func noPluginProcessOutlivesTheConsole(signal: Int32) throws {
        let t = try start()
        let children = descendants(of: t.pid)
        #expect(children.count >= 2)
        kill(t.pid, signal)
        let status = t.waitForExit()
        #expect(status == 128 + signal)
        let until = Date().addingTimeInterval(5)
        while Date() < until && !children.filter(processExists).isEmpty { Thread.sleep(forTimeInterval: 0.05) }
        #expect(children.filter(processExists).isEmpty, "left behind: \(children.filter(processExists))")
    }
}
