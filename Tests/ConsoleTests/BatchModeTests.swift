import Foundation
import PluginSystem
import Testing
import TestSupport

/// Every command run non-interactively (`-c`, a script on stdin), in text and in `--json`.
@Suite struct BatchModeTests {
    static let query = #"{"text": "  How to LAUNCH dagstack?  ", "tenant_id": "acme-corp"}"#

    /// Runs the console with `-c` for each command; returns its status and stdout lines.
    func console(_ commands: [String], json: Bool = false, directory: String = "plugins", extra: [String] = [], stdin: String = "")
        async throws -> (status: Int32, lines: [String], stderr: String)
    {
        var arguments = [directory] + extra
        if json { arguments.append("--json") }
        for c in commands { arguments += ["-c", c] }
        let env = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }
        let result = try await run(consoleBinary, arguments, stdin: stdin, environment: env, workingDirectory: packageRoot)
        return (result.status, result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast(), result.stderr)
    }

    func jsonLines(_ commands: [String], directory: String = "plugins", extra: [String] = []) async throws -> [JSONValue] {
        let (status, lines, stderr) = try await console(commands, json: true, directory: directory, extra: extra)
        #expect(status == 0, "\(stderr)")
        return try lines.map { try JSONValue.parse($0) }
    }

    @Test func kindsListsHooksWithTheirDispatchClass() async throws {
        let kinds = try await jsonLines(["kinds"])[0]
        #expect(kinds["command"] == "kinds")
        let byKind = Dictionary(uniqueKeysWithValues: kinds["kinds"]!.arrayValue!.map { ($0["kind"]!.stringValue!, $0) })
        #expect(byKind["query_rewriter"]?["plugins"] == 5)
        #expect(byKind["query_rewriter"]?["hooks"] == [[
            "name": "rewrite", "dispatch": "chain", "inferred": false, "input_schema": "schemas/query.json",
            "output_schema": "schemas/query.json",
        ]])
        #expect(byKind["chunker"]?["hooks"]?[0]?["dispatch"] == "singleton")
        #expect(byKind["horizontal_middleware"]?["middleware"] == true)
        let text = try await console(["kinds"]).lines
        #expect(text.contains("  rewrite        chain  in: schemas/query.json  out: schemas/query.json"))
    }

    @Test func pluginsShowStateRuntimeAndFolder() async throws {
        let plugins = try await jsonLines(["plugins query_rewriter"])[0]["plugins"]!.arrayValue!
        #expect(plugins.map { $0["name"]!.stringValue! } == ["normalizer", "blacklist", "spellfix", "synonymizer", "tenant-enricher"])
        #expect(plugins.map { $0["runtime"]!.stringValue! } == ["in_process", "in_process", "mcp_stdio", "in_process", "in_process"])
        #expect(plugins.allSatisfy { $0["state"] == "active" })
        let text = try await console(["plugins chunker"]).lines
        // Columns: the longest name (at least 6) plus 2; the longest kind (at least 4) plus 2.
        #expect(text == ["NAME    KIND     PRIORITY   RUNTIME     STATE", "fixed   chunker  0          in_process  active", "  plugins/fixed-chunker"])
        #expect(try await console(["plugins nosuchkind"]).status == 1)
    }

    @Test func showGivesManifestCodeAndResources() async throws {
        let fixed = try await jsonLines(["show fixed"])[0]
        #expect(fixed["manifest"]?["version"] == "0.1.0")
        #expect(fixed["manifest"]?["resources"] == ["required": ["clock"], "optional": []])
        #expect(fixed["granted_resources"] == ["clock"])
        #expect(fixed["hooks"] == ["chunk"])
        #expect(fixed["code"]?["entry_point"] == "plugin:FixedChunker")
        #expect(fixed["code"]?["inferred"] == false)
        let spellfix = try await jsonLines(["show spellfix"])[0]
        #expect(spellfix["code"]?["host"] == "stdio")
        #expect(spellfix["code"]?["server_info"] == ["language": "perl", "name": "spellfix"])
        let (status, lines, _) = try await console(["show normalizr"])
        #expect(status == 1)
        #expect(lines.first == "error: unknown plugin 'normalizr'; did you mean 'normalizer'?")
    }

    @Test func orderFollowsDisableEnableAndPriorityOverrides() async throws {
        let docs = try await jsonLines([
            "order query_rewriter.rewrite", "disable synonymizer", "priority tenant-enricher 200", "order query_rewriter.rewrite",
            "enable synonymizer", "priority tenant-enricher reset", "order query_rewriter",
        ])
        func order(_ doc: JSONValue) -> [String] { doc["order"]!.arrayValue!.map { "\($0["plugin"]!.stringValue!):\($0["priority"]!.intValue!):\($0["state"]!.stringValue!)" } }
        #expect(docs[0]["middleware"] == [["plugin": "governance", "priority": 1000, "state": "active", "runs": true]])
        #expect(order(docs[0]) == ["normalizer:100:active", "blacklist:75:active", "spellfix:60:active", "synonymizer:50:active", "tenant-enricher:10:active"])
        #expect(docs[1]["message"] == "disabled 'synonymizer'")
        #expect(docs[2]["message"] == "'tenant-enricher' priority 10 → 200")
        #expect(order(docs[3]) == ["tenant-enricher:200:active", "normalizer:100:active", "blacklist:75:active", "spellfix:60:active", "synonymizer:50:disabled"])
        // Every plugin keeps the number its stage has in a trace, whether it runs or not.
        #expect(docs[3]["order"]?.arrayValue?.map { $0["position"] } == [1, 2, 3, 4, 5])
        #expect(docs[3]["order"]?[4]?["runs"] == false)
        #expect(order(docs[6]) == order(docs[0]))
        let text = try await console(["disable synonymizer", "order query_rewriter", #"trace query_rewriter.rewrite {"text": "a"}"#]).lines
        #expect(text.contains("  4.   synonymizer        50     disabled"), "\(text)")
        #expect(text.contains { $0.hasPrefix("  4  synonymizer ") && $0.contains("disabled") }, "\(text)")
    }

    @Test func traceJSONHasTheDocumentedShapeAndExactDiffs() async throws {
        let trace = try await jsonLines(["trace query_rewriter.rewrite \(Self.query)"])[0]
        #expect(Array(trace.objectValue!.keys) == ["command", "kind", "hook", "input", "output", "stopped_by", "error", "stages"])
        #expect(trace["output"]?["text"] == "how to start dagstack? microservices python")
        #expect(trace["stopped_by"] == .null)
        let stages = trace["stages"]!.arrayValue!
        #expect(stages.map { $0["status"]!.stringValue! } == ["changed", "unchanged", "unchanged", "changed", "changed"])
        #expect(Array(stages[0].objectValue!.keys.prefix(8)) == ["plugin", "priority", "status", "before", "after", "diff", "duration_us", "logs"])
        #expect(stages[0]["diff"] == [["op": "replace", "path": "/text", "value": "how to launch dagstack?", "old": "  How to LAUNCH dagstack?  "]])
        #expect(stages[4]["diff"] == [["op": "replace", "path": "/text", "value": "how to start dagstack? microservices python", "old": "how to start dagstack?"]])
        #expect(stages[0]["middleware"]?.arrayValue?.map { $0["hook"]! } == ["before", "after"])
        #expect(stages[0]["duration_us"]?.intValue != nil)
    }

    @Test func traceShowsStopChainDisabledAndNotRunStages() async throws {
        let docs = try await jsonLines(["disable spellfix", #"trace query_rewriter.rewrite {"text": "please RM -RF /"}"#])
        let trace = docs[1]
        #expect(trace["stopped_by"] == "blacklist")
        #expect(trace["output"] == ["text": "please rm -rf /"])
        #expect(trace["stages"]!.arrayValue!.map { "\($0["plugin"]!.stringValue!):\($0["status"]!.stringValue!)" } == [
            "normalizer:changed", "blacklist:stopped", "spellfix:disabled", "synonymizer:not_run", "tenant-enricher:not_run",
        ])
        let text = try await console([#"trace query_rewriter.rewrite {"text": "please RM -RF /"}"#]).lines
        #expect(text.last == #"  output {"text":"please rm -rf /"}  (stopped by blacklist: STOP_CHAIN)"#)
    }

    @Test func stepWalksAChainFromAScriptOnStdin() async throws {
        let script = """
            step query_rewriter.rewrite {"text": "  How to LAUNCH dagstack?  ", "tenant_id": "acme-corp"}
            next
            skip
            set {"text": "launch it", "tenant_id": "acme-corp"}
            continue
            next
            """
        let env = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }
        let result = try await run(consoleBinary, ["plugins", "--json"], stdin: script, environment: env, workingDirectory: packageRoot)
        let docs = try result.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        let events: [String] = docs.map { doc in (doc["event"] ?? doc["error"]?["message"])?.stringValue ?? "?" }
        #expect(events == ["started", "ran", "skipped", "set", "ran", "not stepping; start with `step KIND.HOOK JSON` (or `back` into the last walk)"])
        #expect(docs[0]["next"] == ["plugin": "normalizer", "priority": 100, "position": 1, "of": 5])
        #expect(docs[1]["stages"]?[0]?["plugin"] == "normalizer")
        #expect(docs[2]["stages"]?[0]?["status"] == "skipped")
        #expect(docs[2]["stages"]?[0]?["plugin"] == "blacklist")
        #expect(docs[4]["stages"]!.arrayValue!.map { $0["plugin"]!.stringValue! } == ["spellfix", "synonymizer", "tenant-enricher"])
        #expect(docs[4]["finished"] == true)
        // The Perl stage returns keys in its own order; JSON objects compare by key.
        #expect(docs[4]["trace"]?["output"]?.numericallyEquals(["text": "start it microservices python", "tenant_id": "acme-corp"]) == true)
        #expect(result.status == 1)  // the stray `next` failed
    }

    @Test func callDispatchesEachClass() async throws {
        let docs = try await jsonLines([#"call chunker.chunk {"text": "Hello, dagstack!", "max_size": 5}"#, #"call query_rewriter.rewrite {"text": "LAUNCH"}"#])
        #expect(docs[0]["dispatch"] == "singleton")
        #expect(docs[0]["answers"]?[0]?["plugin"] == "fixed")
        #expect(docs[0]["answers"]?[0]?["value"]?.arrayValue?.map { $0["text"]! } == ["Hello", ", dag", "stack", "!"])
        #expect(docs[1]["dispatch"] == "chain")
        #expect(docs[1]["output"] == ["text": "start"])
        let failing = try await console([#"call chunker.chunk {"text": "x", "max_size": 0}"#])
        #expect(failing.status == 1)
        #expect(failing.lines.contains("  PluginError: Plugin 'fixed' failed in chunker.chunk: ValueError: max_size must be positive"))
        #expect(failing.lines.contains { $0.contains("raise ValueError(\"max_size must be positive\")") })
    }

    @Test func resourcesAndResourceSetReSetUpThePlugins() async throws {
        let docs = try await jsonLines([
            "resources", #"resource set tenant_keywords {"acme-corp": ["kubernetes"]}"#, #"trace query_rewriter.rewrite {"text": "x", "tenant_id": "acme-corp"}"#,
        ], extra: ["--resource", #"region="eu""#])
        let rows = Dictionary(uniqueKeysWithValues: docs[0]["resources"]!.arrayValue!.map { ($0["name"]!.stringValue!, $0) })
        #expect(rows["tenant_keywords"]?["origin"] == "resources.json")
        #expect(rows["tenant_keywords"]?["descriptor"] == ["resource": "value", "value": ["acme-corp": ["microservices", "python"]]])
        #expect(rows["region"]?["origin"] == "--resource")
        #expect(rows["clock"]?["declared_by"] == ["fixed"])
        #expect(docs[1]["plugins"]?.arrayValue?.count == 7)
        #expect(docs[2]["output"]?["text"] == "x kubernetes")
    }

    @Test func reloadDoesNotRunAgainATraceThatHungOrAWalkInProgress() async throws {
        let hung = try await consoleJSON("Tests/Fixtures/python-chain", [#"trace pipe.run {"text": "hang"}"#, "reload", "again", "why flaky"],
                                         in: packageRoot, extra: ["--call-timeout", "1"])
        // A plugin stopped at its limit did not raise: `why` says what happened.
        #expect(hung.documents[3]["verdict"] == "'flaky' ran in the last pipe.run (stage 2) and timed out", "\(hung.documents[3])")
        #expect(hung.documents[0]["error"]?["code"] == "PluginTimeout", "\(hung.documents[0])")
        #expect(hung.documents[1]["trace"] == nil)
        #expect(hung.documents[1]["trace_not_run"] == "the last trace was stopped at flaky (PluginTimeout): `again` runs it",
                "\(hung.documents[1])")
        // `again` still runs it, when asked.
        #expect(hung.documents[2]["error"]?["code"] == "PluginTimeout")
        // A walk in progress goes on with the new code instead of an older trace running again.
        let walk = try await consoleJSON("plugins", [
            #"trace query_rewriter.rewrite {"text": "a"}"#, #"step query_rewriter.rewrite {"text": "b"}"#, "next", "reload",
        ], in: packageRoot)
        #expect(walk.documents[3]["trace"] == nil, "\(walk.documents[3])")
        #expect(walk.documents[3]["changes"] == nil)
        #expect(walk.documents[3]["step"]?.stringValue?.hasPrefix("the walk of query_rewriter.rewrite goes on with the new code") == true,
                "\(walk.documents[3])")
    }

    @Test func reloadDoesNotBlameAPluginForWhatYouChangedWhileStepping() async throws {
        let docs = try await consoleJSON("plugins", [
            #"step query_rewriter.rewrite {"text": "launch now"}"#, "next", #"set /text="Changed by me""#, "continue", "reload",
        ], in: packageRoot)
        let reload = docs.documents[4]
        #expect(reload["changes"] == nil, "\(reload)")
        #expect(reload["trace"]?["output"] == ["text": "start now"])
        #expect(reload["trace_not_compared"] == "you set a value while stepping it", "\(reload)")
        let text = try await consoleText("plugins", [
            #"step query_rewriter.rewrite {"text": "launch now"}"#, "next", #"set /text="Changed by me""#, "continue", "reload",
        ], in: packageRoot).lines
        #expect(text.contains("last trace run again: not compared, you set a value while stepping it"), "\(text)")
        #expect(text.contains(#"  output {"text":"start now"}"#), "\(text)")
        // A stage that no longer runs is said to, not shown turning the value into null.
        let off = try await consoleText("plugins", [#"trace query_rewriter.rewrite {"text": "launch now"}"#, "disable synonymizer", "reload"],
                                        in: packageRoot).lines
        #expect(off.contains("  synonymizer       changed → disabled"), "\(off)")
        #expect(!off.contains { $0.contains("→ null") }, "\(off)")
    }

    @Test func reloadRunsTheLastTraceAgainAndShowsWhatChanged() async throws {
        let dir = TempDir()
        try FileManager.default.removeItem(atPath: dir.path)
        try FileManager.default.copyItem(atPath: packageRoot + "/plugins", toPath: dir.path)
        let console = try PipedConsole(arguments: [dir.path, "--json"])
        let first = try await console.send(#"trace query_rewriter.rewrite {"text": "launch now"}"#)
        #expect(first["output"] == ["text": "start now"])
        // Edit a plugin while the console runs, then reload.
        let synonyms = dir.path + "/synonymizer/plugin.py"
        let code = try String(contentsOfFile: synonyms, encoding: .utf8)
        try code.replacingOccurrences(of: #""launch": "start""#, with: #""launch": "begin""#).write(toFile: synonyms, atomically: true, encoding: .utf8)
        let reloaded = try await console.send("reload")
        #expect(reloaded["changes"]?["same"] == false)
        // The synonymizer is the first stage whose output differs; the stage after it carries the change on.
        #expect(reloaded["changes"]?["stages"] == [
            ["plugin": "synonymizer", "before": "changed", "after": "changed",
             "output_diff": [["op": "replace", "path": "/text", "value": "begin now", "old": "start now"]]],
            ["plugin": "tenant-enricher", "before": "unchanged", "after": "unchanged",
             "output_diff": [["op": "replace", "path": "/text", "value": "begin now", "old": "start now"]]],
        ])
        #expect(reloaded["changes"]?["output_diff"] == [["op": "replace", "path": "/text", "value": "begin now", "old": "start now"]])
        #expect(reloaded["trace"]?["output"] == ["text": "begin now"])
        // Switches survive the reload.
        _ = try await console.send("disable spellfix")
        let again = try await console.send("reload")
        #expect(again["plugins"]?.arrayValue?.first { $0["name"] == "spellfix" }?["state"] == "disabled")
        #expect(again["changes"]?["stages"]?[0]?["plugin"] == "spellfix")
        #expect(again["changes"]?["stages"]?[0]?["after"] == "disabled")
        #expect(await console.finish() == 0)
    }

    @Test func mistakesGetClearErrorsAndTheConsoleCarriesOn() async throws {
        let (status, lines, _) = try await console([
            "trce query_rewriter.rewrite {}", #"trace query_rewriter.rewrite {"text": }"#, "trace query_rewritr.rewrite {}",
            "trace query_rewriter.rewrit {}", "trace query_rewriter", "priority fixed high", "help trace", "kinds",
        ])
        #expect(status == 1)
        #expect(lines[0] == "error: unknown command 'trce'; did you mean 'trace'? (type `help` for the list)")
        #expect(lines[1...3] == [
            "error: bad JSON at column 39: unexpected character '}', expected a value",
            #"  trace query_rewriter.rewrite {"text": }"#,
            "                                        ^",
        ])
        #expect(lines[4] == "error: unknown kind 'query_rewritr'; did you mean 'query_rewriter'?")
        #expect(lines.contains("error: kind 'query_rewriter' has no hook 'rewrit'; its hooks: rewrite"))
        #expect(lines.contains("error: 'query_rewriter' is not KIND.HOOK"))
        #expect(lines.contains("usage: trace [--changed] [--quiet-mw] KIND.HOOK JSON|example[N]|@FILE"))
        #expect(lines.contains("error: 'high' is not a priority (a whole number >= 0)"))
        #expect(lines.contains("trace [--changed] [--quiet-mw] KIND.HOOK JSON|example[N]|@FILE"))
        #expect(lines.last == "  rewrite        chain  in: schemas/query.json  out: schemas/query.json")
    }

    @Test func helpListsEveryCommandAndQuitLeaves() async throws {
        let help = try await jsonLines(["help"])[0]["commands"]!.arrayValue!.map { $0["name"]!.stringValue! }
        #expect(help == ["kinds", "plugins", "show", "order", "trace", "step", "back", "goto", "retry", "history", "again", "break",
                         "breaks", "delete", "blame", "why", "timing", "call", "debug", "pm", "disable", "enable", "priority",
                         "resources", "resource", "config", "load", "reload", "watch", "record", "replay", "sessions", "contract", "help", "quit"])
        let (status, lines, _) = try await console(["kinds", "quit", "plugins"])
        #expect(status == 0)
        #expect(!lines.contains { $0.hasPrefix("NAME") })
    }

    @Test func loadSwitchesDirectoryAndBrokenManifestsAreListed() async throws {
        let docs = try await jsonLines(["load Tests/Fixtures/lifecycle-faults", "plugins"], extra: ["--allow-load-errors"])
        #expect(docs[0]["path"] == "Tests/Fixtures/lifecycle-faults")
        let states = Dictionary(uniqueKeysWithValues: docs[1]["plugins"]!.arrayValue!.map { ($0["name"]!.stringValue!, $0["state"]!.stringValue!) })
        #expect(states["healthy"] == "active")
        #expect(states["setup-raises"] == "failed")
        #expect(states["needs-broken"] == "unavailable")
        let dir = TempDir()
        dir.plugin("good", name: "good")
        dir.write("good/plugin.py", "class Good:\n    def work(self, ctx, v):\n        return v\n")
        dir.write("broken/dagstack.toml", "[plugin\nname = 1")
        let (status, lines, _) = try await console(["plugins"], directory: dir.path, extra: ["--allow-load-errors"])
        #expect(status == 0)
        #expect(lines.contains { $0.hasPrefix("good ") && $0.hasSuffix("active") })
        let startup = try await run(consoleBinary, [dir.path, "-c", "kinds"], environment: ["NO_COLOR": "1", "PATH": ProcessInfo.processInfo.environment["PATH"]!])
        #expect(startup.stderr.contains("  skipped \(dir.path)/broken — ManifestInvalid: Malformed TOML at \(dir.path)/broken/dagstack.toml:1:"))
    }

    /// A load that a `reload` replaced before any command ran (the script's first step fixes what the
    /// first load missed) does not fail the run; commands that ran while a plugin was missing do.
    @Test func aLoadReplacedBeforeAnyCommandRanDoesNotCount() async throws {
        let dir = TempDir()
        // Its first set-up fails, every later one works (a service that was still starting).
        dir.plugin("late", name: "late")
        dir.write("late/plugin.py", """
            import os
            class Late:
                def setup(self, ctx):
                    mark = os.path.join(\(String(reflecting: dir.path)), "tried")
                    if not os.path.exists(mark):
                        open(mark, "w").close()
                        raise RuntimeError("not ready yet")

                def work(self, v):
                    return v
            """)
        let fixed = try await console(["reload", "call k.work 1"], directory: dir.path)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(!fixed.stderr.contains("exit status 1"), "\(fixed.stderr)")
        try FileManager.default.removeItem(atPath: dir.path + "/tried")
        let ranWithout = try await console(["kinds", "reload", "call k.work 1"], directory: dir.path)
        #expect(ranWithout.status == 1, "\(ranWithout.stderr)")
        #expect(ranWithout.stderr.hasSuffix("exit status 1: plugin 'late' did not load (--allow-load-errors leaves the status to the commands)\n"), "\(ranWithout.stderr)")
    }

    /// A script's or CI's result is not the plugins' when some did not load: the status says so.
    @Test func exitStatusIsOneWhenAPluginDidNotLoad() async throws {
        let dir = TempDir()
        dir.plugin("good", name: "good")
        dir.write("good/plugin.py", "class Good:\n    def work(self, v):\n        return v\n")
        dir.plugin("raises", name: "raises")
        dir.write("raises/plugin.py", "class Raises:\n    def setup(self, ctx):\n        raise RuntimeError('no database')\n\n    def work(self, v):\n        return v\n")
        for json in [false, true] {
            let (status, lines, stderr) = try await console(["kinds", "call k.work 1"], json: json, directory: dir.path)
            #expect(status == 1, "\(stderr)")
            if json { #expect(lines.count == 2) }
            #expect(stderr.hasSuffix("exit status 1: plugin 'raises' did not load (--allow-load-errors leaves the status to the commands)\n"), "\(stderr)")
            #expect(try await console(["kinds"], json: json, directory: dir.path, extra: ["--allow-load-errors"]).status == 0)
        }
        // A script on stdin too; a manifest that cannot be read is named by its file.
        dir.write("broken/dagstack.toml", "[plugin\nname = 1")
        let piped = try await console([], directory: dir.path, stdin: "kinds\n")
        #expect(piped.status == 1)
        #expect(piped.stderr.contains("exit status 1: plugin 'raises', \(dir.path)/broken did not load"), "\(piped.stderr)")
        // A directory that loads whole: the commands alone decide, and nothing is said.
        let fixed = try await console(["kinds"], directory: packageRoot + "/plugins")
        #expect(fixed.status == 0)
        #expect(!fixed.stderr.contains("exit status"))
    }

    @Test func exitStatusSaysWhetherEveryCommandWorked() async throws {
        #expect(try await console(["kinds", "plugins"]).status == 0)
        #expect(try await console(["kinds", "nonsense"]).status == 1)
        let bad = try await run(consoleBinary, ["plugins", "--resource", "broken"], environment: ProcessInfo.processInfo.environment)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--resource expects NAME=JSON or NAME=@file.json, got 'broken'"))
        let file = TempDir()
        let path = file.write("keywords.json", #"{"acme-corp": ["from-file"]}"#)
        let docs = try await jsonLines([#"trace query_rewriter.rewrite {"text": "x", "tenant_id": "acme-corp"}"#], extra: ["--resource", "tenant_keywords=@\(path)"])
        #expect(docs[0]["output"]?["text"] == "x from-file")
    }
}

/// The console with a live pipe on stdin, for sessions where something happens between commands.
final class PipedConsole: @unchecked Sendable {
    let process = Process()
    let input = Pipe(), output = Pipe()
    var buffer = Data()

    init(arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: consoleBinary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        process.environment = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Sends one command and returns its JSON result line.
    func send(_ line: String) async throws -> JSONValue {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
        while !buffer.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw TerminalError(message: "the console closed its output") }
            buffer.append(chunk)
        }
        let newline = buffer.firstIndex(of: 0x0A)!
        let lineData = buffer[..<newline]
        buffer = Data(buffer[(newline + 1)...])
        return try JSONValue.parse(bytes: [UInt8](lineData))
    }

    func finish() async -> Int32 {
        try? input.fileHandleForWriting.close()
        await waitForExit()
        return process.terminationStatus
    }

    /// Polls: waitUntilExit() on a dispatch thread spins, and with every dispatch thread spinning
    /// nothing is left to hear of the exit (see `run` in TestSupport).
    func waitForExit() async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
    }
}
