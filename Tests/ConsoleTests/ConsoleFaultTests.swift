import Foundation
import Testing
import TestSupport

/// The console itself never crashes, hangs or spins: numeric options out of range, signals while
/// reading a pipe, a history file that is a device, Ctrl-\ and an external SIGSEGV.
@Suite(.serialized) struct ConsoleFaultTests {
    /// A directory with one Python plugin whose hook and teardown leave files, to see that they ran.
    static func tornDownFixture() -> (TempDir, String) {
        let dir = TempDir()
        let mark = dir.path + "/torn-down"
        dir.plugin("p", name: "p", kind: "k")
        dir.write("p/plugin.py", """
            class P:
                def ping(self, value):
                    open(\(String(reflecting: dir.path + "/pinged")), "w").write("yes")
                    return value

                def teardown(self):
                    open(\(String(reflecting: mark)), "w").write("yes")
            """)
        return (dir, mark)
    }

    /// Waits until the fixture's hook has run: the console is then idle, reading its input.
    static func waitUntilPinged(_ dir: TempDir) async -> Bool {
        let until = Date().addingTimeInterval(30)
        while Date() < until {
            if FileManager.default.fileExists(atPath: dir.path + "/pinged") { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test(arguments: ["inf", "1e300", "nan", "0", "-1", "604801"])
    func aTimeLimitOutOfRangeIsRefusedBeforeAnythingRuns(value: String) async throws {
        let result = try await run(consoleBinary, ["plugins", "--call-timeout=\(value)", "-c", "kinds"], workingDirectory: packageRoot)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--call-timeout must be"), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test func theLargestTimeLimitWorks() async throws {
        let result = try await run(consoleBinary, ["plugins", "--call-timeout", "604800", "-c", #"call chunker.chunk {"text": "abcd", "max_size": 2}"#],
                                   workingDirectory: packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Commands on a pipe that stays open: the console waits in its read.
    static func startOnOpenPipe(_ directory: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: consoleBinary)
        process.arguments = [directory]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, input)
    }

    @Test(arguments: [SIGTERM, SIGHUP, SIGQUIT])
    func aTerminationSignalWhileReadingAPipeTearsDownAndExits(signal: Int32) async throws {
        let (dir, mark) = Self.tornDownFixture()
        let (console, input) = try Self.startOnOpenPipe(dir.path)
        defer { if console.isRunning { kill(console.processIdentifier, SIGKILL) } }
        input.fileHandleForWriting.write(Data("call k.ping 1\n".utf8))
        #expect(await Self.waitUntilPinged(dir))
        try await Task.sleep(for: .milliseconds(200))  // back in its read
        kill(console.processIdentifier, signal)
        let exited = await waitForExit(console, seconds: 8)
        #expect(exited, "still running 8 s after the signal")
        guard exited else { return }
        #expect(console.terminationStatus == 128 + signal)
        #expect(FileManager.default.fileExists(atPath: mark), "the plugin's teardown ran")
        try? input.fileHandleForWriting.close()
    }

    @Test func ctrlCOnAPipeThenEndOfInputExits() async throws {
        let (dir, _) = Self.tornDownFixture()
        let (console, input) = try Self.startOnOpenPipe(dir.path)
        defer { if console.isRunning { kill(console.processIdentifier, SIGKILL) } }
        input.fileHandleForWriting.write(Data("call k.ping 1\n".utf8))
        #expect(await Self.waitUntilPinged(dir))
        try await Task.sleep(for: .milliseconds(200))
        kill(console.processIdentifier, SIGINT)  // while idle, waiting for input
        try await Task.sleep(for: .milliseconds(300))
        input.fileHandleForWriting.write(Data("call k.ping 2\n".utf8))
        try input.fileHandleForWriting.close()
        let exited = await waitForExit(console, seconds: 10)
        #expect(exited, "the console must exit at the end of its input")
        guard exited else { return }
        #expect(console.terminationStatus == 0)
    }

    /// A console started in a pseudo-terminal while another reads a pipe must not hold that pipe
    /// open: the pipe's reader would never see its end of input (the whole suite starts consoles of
    /// both kinds at once; a console in a terminal once kept another from exiting for 10 s).
    @Test func aConsoleInATerminalDoesNotKeepAnotherConsolesInputOpen() async throws {
        let (dir, _) = Self.tornDownFixture()
        let (console, input) = try Self.startOnOpenPipe(dir.path)
        defer { if console.isRunning { kill(console.processIdentifier, SIGKILL) } }
        let other = try TerminalSession(arguments: ["plugins"])
        #expect(await other.waitForPrompt(), "\(other.lines)")
        input.fileHandleForWriting.write(Data("call k.ping 1\n".utf8))
        try input.fileHandleForWriting.close()
        let exited = await waitForExit(console, seconds: 10)
        #expect(exited, "the console must exit at the end of its input while the other one runs")
        guard exited else { return }
        #expect(console.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/pinged"))
        await other.type("quit\r")
        #expect(await other.waitForExit() == 0)
    }

    @Test func aHistoryFileThatIsADeviceIsAWarning() async throws {
        let t = try TerminalSession(arguments: ["plugins", "--history", "/dev/full"])
        #expect(await t.waitFor("dagstack>"), "\(t.lines)")
        #expect(t.lines.contains { $0.contains("warning: the history file /dev/full is not a regular file; history is kept for this session only") })
        await t.type("kinds\r")
        #expect(await t.waitFor("query_rewriter"))
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func ctrlBackslashEndsTheConsoleLikeSIGTERM() async throws {
        let t = try TerminalSession(arguments: ["plugins"], environment: ["DAGSTACK_CONSOLE_HISTORY": NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"])
        #expect(await t.waitForPrompt(), "\(t.lines)")
        await t.type("\u{1C}")
        #expect(await t.waitForExit() == 128 + SIGQUIT)
        #expect(!t.raw.contains("Program crashed") && !t.raw.contains("Backtrace"), "\(t.raw)")
        #expect(t.isCanonical)
    }

    @Test func anExternalSIGSEGVIsOneLineNotABacktrace() async throws {
        let t = try TerminalSession(arguments: ["plugins"], environment: ["DAGSTACK_CONSOLE_HISTORY": NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"])
        #expect(await t.waitForPrompt(), "\(t.lines)")
        kill(t.pid, SIGSEGV)
        #expect(await t.waitForExit(seconds: 5) == 128 + SIGSEGV, "it must die at once, without a 30 s prompt")
        await t.pump(0.2)
        #expect(t.raw.contains("dagstack-console: internal error: segmentation fault (SIGSEGV)"), "\(t.raw)")
        #expect(!t.raw.contains("Program crashed") && !t.raw.contains("Press space"), "\(t.raw)")
        #expect(t.isCanonical)
    }
}

/// What the console accepts as input it can read back in an answer: a value too deep or a number
/// beyond 64 bits is refused when typed, with where it is.
@Suite struct InputLimitTests {
    @Test func aTooDeepOrOutOfRangeValueIsRefusedWhenTyped() async throws {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        let within = String(repeating: "[", count: 250) + "1" + String(repeating: "]", count: 250)
        let result = try await run(
            consoleBinary, ["plugins", "-c", "call chunker.chunk \(deep)", "-c", #"call chunker.chunk {"text": "ab", "max_size": 18446744073709551616}"#],
            workingDirectory: packageRoot)
        #expect(result.status == 1)
        #expect(result.stdout.contains("bad JSON at column 276: a value nested deeper than 256 levels"), "\(result.stdout)")
        #expect(result.stdout.contains("bad JSON at column 47: the integer 18446744073709551616 is beyond 64 bits"), "\(result.stdout)")
        // 250 levels reach the plugin (which refuses the type), and would come back.
        let ok = try await run(consoleBinary, ["plugins", "--json", "-c", "call chunker.chunk \(within)"], workingDirectory: packageRoot)
        #expect(!ok.stdout.contains("bad JSON"), "\(ok.stdout)")
    }
}

/// The smaller faults of the list: each a clear message, and nothing slow or lost.
@Suite struct SmallerFaultTests {
    /// A stdio plugin whose `command` is `./srv.sh` beside its manifest.
    static func stdioPlugin(executable: Bool) -> TempDir {
        let dir = TempDir()
        dir.plugin("plugins/srv", name: "srv", kind: "s", runtime: "mcp_stdio", extra: #"command = ["./srv.sh"]"#)
        dir.write("plugins/srv/srv.sh", "#!/bin/sh\nexec python3 \"$(dirname \"$0\")/srv.py\"\n", executable: executable)
        dir.write("plugins/srv/srv.py", """
            import json, sys
            for line in sys.stdin:
                request = json.loads(line)
                if request["method"] == "initialize":
                    result = {"hooks": ["ping"]}
                elif request["method"] == "shutdown":
                    result = None
                else:
                    result = {"pong": request["params"]["_args"][0]}
                sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": result}) + "\\n")
                sys.stdout.flush()
            """)
        return dir
    }

    @Test(arguments: ["./plugins", "plugins", "./plugins/"])
    func aRelativeCommandWorksWhateverTheDirectorysSpelling(spelling: String) async throws {
        let dir = Self.stdioPlugin(executable: true)
        let result = try await run(consoleBinary, [spelling, "--json", "-c", "call s.ping 7"], workingDirectory: dir.path)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(#""pong":7"#), "\(result.stdout)")
    }

    @Test func aCommandThatCannotBeExecutedSaysSo() async throws {
        let dir = Self.stdioPlugin(executable: false)
        let result = try await run(consoleBinary, ["plugins", "-c", "plugins"], workingDirectory: dir.path)
        #expect(result.stdout.contains(
            "command is not executable: \(dir.path)/plugins/srv/./srv.sh (no execute permission; chmod +x it or name its interpreter first)"),
            "\(result.stdout)")
    }

    @Test func keyboardInterruptInSetUpIsThePluginsError() async throws {
        let dir = TempDir()
        dir.pythonPlugin("p", name: "p", kind: "k", code: "class P:\n    def setup(self, ctx):\n        raise KeyboardInterrupt\n\n    def h(self, value):\n        return value\n")
        let result = try await run(consoleBinary, [dir.path, "-c", "plugins"], workingDirectory: dir.path)
        #expect(result.stdout.contains("failed — Plugin 'p' failed in setup: KeyboardInterrupt"), "\(result.stdout)")
    }

    @Test func aHugeUnknownCommandIsShortenedNotEchoedWhole() async throws {
        let word = String(repeating: "x", count: 10_000_000)
        let result = try await run(consoleBinary, ["plugins"], stdin: word + "\n", workingDirectory: packageRoot)
        #expect(result.status == 1)
        #expect(result.stdout.contains("unknown command '\(String(repeating: "x", count: 40))… (10000000 characters)' (type `help` for the list)"),
                "\(result.stdout.prefix(300))")
        #expect(result.stdout.count < 1000)
    }
}
