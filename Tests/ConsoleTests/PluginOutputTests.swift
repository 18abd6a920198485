import Foundation
import PluginSystem
import Testing
import TestSupport

/// What a plugin prints reaches the user: before a hang or a crash, in set-up and teardown, in
/// floods (cut, with a note of how much), and on file descriptor 1 without a final newline.
@Suite struct PluginOutputTests {
    func texts(_ logs: JSONValue?) -> [String] { (logs?.arrayValue ?? []).map { $0["text"]?.stringValue ?? "" } }

    /// A Python plugin that writes, then hangs or dies.
    func faultyPython() -> TempDir {
        let dir = TempDir()
        dir.pythonPlugin("faulty", name: "faulty", kind: "f", code: """
            import logging
            import os
            import sys
            import time

            class Faulty:
                def hang(self, value):
                    print("working on", value)
                    logging.getLogger("faulty").warning("about to hang")
                    time.sleep(3600)

                def crash(self, value):
                    print("about to crash")
                    sys.stderr.write("last words\\n")
                    os._exit(3)

                def flood(self, value):
                    sys.stderr.write("x" * 3_000_000 + "\\n")
                    os.write(2, b"y" * 3_000_000)
                    return value

                def raw(self, value):
                    os.write(1, b"no final newline")
                    return value
            """)
        return dir
    }

    @Test func whatAPythonPluginPrintedBeforeItHungOrCrashedIsShown() async throws {
        let dir = faultyPython()
        let (_, hung, stderr) = try await consoleJSON(dir.path, [#"call f.hang "a""#], in: dir.path, extra: ["--call-timeout", "1"])
        let hang = try #require(hung.first?["errors"]?[0], "\(stderr)")
        #expect(hang["code"] == "PluginTimeout")
        #expect(texts(hang["logs"]).contains("working on a"), "\(hang)")
        #expect(texts(hang["logs"]).contains("faulty: about to hang"), "\(hang)")
        let (_, crashed, _) = try await consoleJSON(dir.path, [#"call f.crash "b""#], in: dir.path)
        let crash = try #require(crashed.first?["errors"]?[0])
        #expect(crash["code"] == "PluginCrashed")
        #expect(texts(crash["logs"]).contains("about to crash"), "\(crash)")
        #expect(texts(crash["logs"]).contains("last words"), "\(crash)")
    }

    @Test func aCrashInATraceShowsItsStderrOnceIndentedUnderItsStage() async throws {
        let dir = TempDir()
        dir.stdioPlugin("crash", name: "crash", kind: "s", onCall: """
            sys.stderr.write("dying now\\nreally\\n")
            sys.stderr.flush()
            os._exit(4)
            """)
        let lines = try await consoleText(dir.path, ["trace s.h {}"], in: dir.path).lines
        let at = try #require(lines.firstIndex { $0.hasPrefix("       PluginCrashed: Plugin 'crash' process exited with status 4") }, "\(lines)")
        #expect(lines.filter { $0.contains("dying now") } == ["       stderr │ dying now"], "\(lines)")
        #expect(lines.filter { $0.contains("really") } == ["       stderr │ really"], "\(lines)")
        #expect(lines.firstIndex(of: "       stderr │ dying now").map { $0 < at } == true, "\(lines)")
        #expect(!lines.contains { $0.contains("stderr (last lines)") }, "\(lines)")
    }

    @Test func whatAStdioPluginSentBeforeItHungIsShown() async throws {
        let dir = TempDir()
        dir.stdioPlugin("talker", name: "talker", kind: "s", onCall: """
            print(json.dumps({"jsonrpc": "2.0", "method": "log", "params": {"level": "info", "message": "step one"}}), flush=True)
            sys.stderr.write("stderr before the hang\\n")
            sys.stderr.flush()
            time.sleep(3600)
            """)
        let (_, docs, stderr) = try await consoleJSON(dir.path, ["call s.h"], in: dir.path, extra: ["--call-timeout", "1"])
        let error = try #require(docs.first?["errors"]?[0], "\(stderr)")
        #expect(error["code"] == "PluginTimeout")
        #expect(texts(error["logs"]) == ["step one", "stderr before the hang"], "\(error)")
    }

    @Test func aFloodIsCutWithANoteOfHowMuchWasDropped() async throws {
        let dir = faultyPython()
        let (_, docs, stderr) = try await consoleJSON(dir.path, [#"call f.flood "x""#], in: dir.path)
        let answer = try #require(docs.first?["answers"]?[0], "\(stderr)")
        let logs = texts(answer["logs"])
        #expect(logs.joined().count < 3_000_000)
        #expect(logs.contains { $0.contains("more characters of stderr not kept") }, "\(logs.map { $0.prefix(80) })")
        #expect(logs.contains { $0.contains("more bytes the process wrote to its stderr not kept") }, "\(logs.map { $0.prefix(80) })")
    }

    @Test func outputOnFileDescriptorOneWithoutANewlineIsShownWithItsCall() async throws {
        let dir = faultyPython()
        let (_, docs, stderr) = try await consoleJSON(dir.path, [#"call f.raw "x""#], in: dir.path)
        #expect(texts(docs.first?["answers"]?[0]?["logs"]) == ["no final newline"], "\(stderr)")
    }
}

/// Output outside calls (set-up, teardown) is shown where the user looks, and belongs to its phase.
@Suite struct PhaseOutputTests {
    func lifecycleChatter() -> TempDir {
        let dir = TempDir()
        dir.pythonPlugin("chatty", name: "chatty", kind: "k", code: """
            import logging
            import sys

            class Chatty:
                def setup(self, ctx):
                    print("connecting")
                    logging.getLogger("chatty").info("pool ready")
                    sys.stderr.write("deprecated option\\n")
                    for i in range(5):
                        print("line", i)

                def teardown(self):
                    print("closing")
                    raise RuntimeError("socket stuck")

                def h(self, value):
                    return value
            """)
        dir.stdioPlugin("noisy", name: "noisy", kind: "s", startup: #"sys.stderr.write("starting up\n"); sys.stderr.flush()"#,
                        onCall: #"answer(request["params"]["_args"][0])"#)
        return dir
    }

    @Test func setUpOutputIsInTheLoadSummaryFoldedAndInShow() async throws {
        let dir = lifecycleChatter()
        let (_, lines, stderr) = try await consoleText(dir.path, ["show chatty", "reload"], in: dir.path)
        let summary = stderr.split(separator: "\n").map(String.init)
        #expect(summary.contains("  chatty wrote in set-up:"), "\(summary)")
        #expect(summary.contains("    stdout │ connecting"), "\(summary)")
        #expect(summary.contains("    log info │ chatty: pool ready"), "\(summary)")
        #expect(summary.contains("    … 5 more lines: `show chatty`"), "\(summary)")
        #expect(summary.contains("  noisy wrote in set-up:") && summary.contains("    stderr │ starting up"), "\(summary)")
        #expect(lines.contains("  set-up output:"), "\(lines)")
        #expect(lines.contains("    stderr │ deprecated option") && lines.contains("    stdout │ line 4"), "\(lines)")
        #expect(lines.contains("teardown of the previous load failed:"), "\(lines)")
        #expect(lines.contains("  PluginError: Plugin 'chatty' failed in teardown: RuntimeError: socket stuck"), "\(lines)")
        #expect(lines.contains("  chatty wrote in teardown:") && lines.contains("    stdout │ closing"), "\(lines)")
        let (_, docs, _) = try await consoleJSON(dir.path, ["reload"], in: dir.path)
        #expect(docs[0]["teardown_errors"]?[0]?["code"] == "PluginError")
        #expect(docs[0]["teardown_output"]?[0]?["plugin"] == "chatty")
        #expect(docs[0]["setup_output"]?.arrayValue?.map { $0["plugin"]!.stringValue! } == ["chatty", "noisy"])
    }

    @Test func whatAFailedSetUpWroteIsInTheTextSummaryAndShow() async throws {
        let dir = TempDir()
        dir.pythonPlugin("db", name: "db", kind: "k", code: """
            class Db:
                def setup(self, ctx):
                    print("connecting to localhost:5432")
                    raise ConnectionError("refused")

                def h(self, value):
                    return value
            """)
        let (_, lines, stderr) = try await consoleText(dir.path, ["show db"], in: dir.path)
        let summary = stderr.split(separator: "\n").map(String.init)
        #expect(summary.contains("    it wrote:") && summary.contains("      stdout │ connecting to localhost:5432"), "\(summary)")
        #expect(lines.contains("    stdout │ connecting to localhost:5432"), "\(lines)")
    }

    @Test func aStdioPluginsSetUpStderrIsNotItsFirstCallsAndAReplayOfALaterCallMatches() async throws {
        let dir = lifecycleChatter()
        let (_, docs, _) = try await consoleJSON(dir.path, [#"trace s.h {"a": 1}"#], in: dir.path)
        #expect(docs[0]["stages"]?[0]?["logs"] == [], "\(docs)")
        let recorded = try await runConsole(
            [dir.path, "-c", #"trace s.h {"a": 1}"#, "-c", "record later.jsonl", "-c", #"trace s.h {"a": 1}"#].map {
                $0 == "record later.jsonl" ? "record \(dir.path)/later.jsonl" : $0
            }, in: dir.path)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let replay = try await runConsole(["--replay", "later.jsonl", dir.path], in: dir.path)
        #expect(replay.status == 0, "\(replay.stdout)")
    }

    @Test func verboseShowsSetUpTeardownAndDispatchOnAHealthyRun() async throws {
        let dir = TempDir()
        dir.pythonPlugin("calm", name: "calm", kind: "k", code: "class Calm:\n    def setup(self, ctx):\n        print('ready')\n\n    def h(self, value):\n        return value\n")
        let result = try await runConsole([dir.path, "--verbose", "-c", "trace k.h {}"], in: dir.path)
        #expect(result.status == 0)
        #expect(result.stderr.contains("set up 'calm': active"), "\(result.stderr)")
        #expect(result.stderr.contains("'calm' setup output │ stdout │ ready"), "\(result.stderr)")
        #expect(result.stderr.contains("dispatch k.h (chain): calm"), "\(result.stderr)")
        #expect(result.stderr.contains("tore down 'calm'"), "\(result.stderr)")
    }

    @Test func aDivergenceReportSaysWhichFieldOfTheStageDiffers() async throws {
        let dir = TempDir()
        dir.pythonPlugin("plugins/echo", name: "echo", kind: "k", code: "class Echo:\n    def h(self, value):\n        print('v1')\n        return value\n")
        let recorded = try await runConsole(["plugins", "--record", "r", "-c", "trace k.h {}"], in: dir.path)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        dir.write("plugins/echo/plugin.py", "class Echo:\n    def h(self, value):\n        print('v2')\n        return value\n")
        let replay = try await runConsole(["--replay", "sessions/r.jsonl", "plugins"], in: dir.path)
        #expect(replay.status == 1)
        let lines = replay.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("        first difference at stage 1, echo: unchanged → unchanged"), "\(lines)")
        #expect(lines.contains(#"         ~ /logs/0/text  "v1" → "v2""#), "\(lines)")
    }
}
