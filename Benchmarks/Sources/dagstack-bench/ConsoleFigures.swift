import Console
import Foundation
import PluginHosts
import PluginSystem

/// The figures a plugin author feels at the console: start-up to the first prompt, the edit →
/// `reload` loop, a save seen by `watch`, and replaying a recording of Python-plugin traces. Each is
/// reported beside the floor it is compared with.
extension Bench {
    static let seedTrace = #"trace query_rewriter.rewrite {"text": "  How to LAUNCH dagstack?  ", "tenant_id": "acme-corp"}"#
    static let prompt = "dagstack> "

    /// A copy of plugins/ (or of the named folders of it) in a fresh temporary folder; returns the
    /// folder holding the copy, named `plugins`.
    static func copyOfPlugins(only: [String]? = nil) throws -> (temp: String, plugins: String) {
        let temp = NSTemporaryDirectory() + "dagstack-bench-\(UUID().uuidString)"
        let plugins = temp + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        for name in try only ?? FileManager.default.contentsOfDirectory(atPath: root + "/plugins") where name != "__pycache__" {
            try FileManager.default.copyItem(atPath: root + "/plugins/" + name, toPath: plugins + "/" + name)
        }
        return (temp, plugins)
    }

    /// The edit both loops make: the synonymizer's synonym for "launch", "begin" on even versions
    /// and "start" (as shipped) on odd ones, so every reload changes what the trace gives.
    static func editSynonymizer(_ plugins: String, version: Int) throws {
        let path = plugins + "/synonymizer/plugin.py"
        let code = try String(contentsOfFile: path, encoding: .utf8)
        let from = version % 2 == 0 ? #""launch": "start""# : #""launch": "begin""#
        let to = version % 2 == 0 ? #""launch": "begin""# : #""launch": "start""#
        let edited = code.replacingOccurrences(of: from, with: to)
        precondition(edited.contains(to), "the synonymizer no longer maps \"launch\"; update the benchmark's edit")
        // In place (not an atomic rename), as `echo >` or most editors' plain save write it.
        try edited.write(toFile: path, atomically: false, encoding: .utf8)
    }

    /// The physical floor of start-up: the same Python interpreter starting and importing json.
    static func pythonFloor(runs: Int = 20) throws -> Double {
        let python = ProcessInfo.processInfo.environment["DAGSTACK_PYTHON"] ?? "/usr/bin/python3"
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            guard try runProcess(python, ["-c", "import json"], directory: root) == 0 else { throw BenchError("\(python) -c 'import json' failed") }
            samples.append(Measure.seconds(ContinuousClock.now - start))
        }
        return Measure.median(samples)
    }

    // 9. Start-up to the first prompt with plugins/, in a pseudo-terminal: from starting the console
    // until libedit has drawn the prompt (the plugins are loaded and set up by then).
    static func startupToPrompt(console: String) throws {
        let temp = NSTemporaryDirectory() + "dagstack-bench-prompt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: temp) }
        var samples: [Double] = []
        for run in 0..<11 {
            let start = ContinuousClock.now
            let session = try TerminalConsole(console: console, arguments: ["plugins"], directory: root, history: temp + "/history")
            try session.waitFor(prompt, from: 0)
            let took = Measure.seconds(ContinuousClock.now - start)
            if run > 0 { samples.append(took) }  // the first warms the file cache
            session.type("quit\r")
            guard session.waitForExit() == 0 else { throw BenchError("the console did not quit cleanly: \(session.tail())") }
        }
        let floor = try pythonFloor()
        report("console_startup_to_prompt_plugins", Measure.median(samples) * 1000, "ms")
        report("console_startup_to_prompt_plugins_p90", Measure.percentile(samples, 90) * 1000, "ms")
        report("python_start_import_json_floor", floor * 1000, "ms")
        report("console_startup_to_prompt_vs_python_floor", Measure.median(samples) / floor, "x")
    }

    // 10. Edit a plugin's code, type `reload` (which reloads the directory and re-runs the last
    // trace), and wait for the next prompt: one console session on a copy of plugins/.
    static func reloadAfterEdit(console: String) throws {
        let (temp, plugins) = try copyOfPlugins()
        defer { try? FileManager.default.removeItem(atPath: temp) }
        let session = try TerminalConsole(console: console, arguments: ["plugins"], directory: temp, history: temp + "/history")
        var offset = try session.waitFor(prompt, from: 0)
        session.type(seedTrace + "\r")
        offset = try session.waitFor(prompt, from: offset)
        var samples: [Double] = []
        for edit in 0..<22 {
            // A person's edit between two reloads takes longer than this: the console is settled
            // (the interpreter the reload takes has started, as it would have while they typed).
            session.pump(timeout: 1.5)
            try editSynonymizer(plugins, version: edit)
            let mark = session.output.count
            let start = ContinuousClock.now
            session.type("reload\r")
            offset = try session.waitFor(prompt, from: mark)
            let took = Measure.seconds(ContinuousClock.now - start)
            let shown = session.text(from: mark)
            guard shown.contains("last trace run again"), shown.contains(edit % 2 == 0 ? "begin" : "start") else {
                throw BenchError("reload did not re-run the trace with the edit: \(shown)")
            }
            if edit > 1 { samples.append(took) }  // the first two warm up (both versions compiled once)
        }
        session.type("quit\r")
        guard session.waitForExit() == 0 else { throw BenchError("the console did not quit cleanly: \(session.tail())") }
        report("reload_rerun_trace_after_edit_p50", Measure.median(samples) * 1000, "ms")
        report("reload_rerun_trace_after_edit_p90", Measure.percentile(samples, 90) * 1000, "ms")
    }

    /// How long `watch` waits after the last event of a burst before it runs (`ConsoleRunner.watch`).
    static let watchQuiet = 60.0

    // 11. `--watch` on a copy of plugins/: save the file, then wait until the re-run's output is on
    // the terminal.
    static func watchSaveToTrace(console: String) throws {
        let (temp, plugins) = try copyOfPlugins()
        defer { try? FileManager.default.removeItem(atPath: temp) }
        let session = try TerminalConsole(
            console: console, arguments: ["plugins", "-c", seedTrace, "--watch"], directory: temp, history: temp + "/history")
        try session.waitFor("Ctrl-C stops", from: 0)
        var samples: [Double] = []
        let saves = 22
        for edit in 0..<saves {
            // Settled: nothing left of the previous run's events.
            session.pump(timeout: 0.3)
            let mark = session.output.count
            try editSynonymizer(plugins, version: edit)
            let start = ContinuousClock.now
            try session.waitFor("last trace run again", from: mark)
            let took = Measure.seconds(ContinuousClock.now - start)
            if edit > 1 { samples.append(took) }
        }
        session.pump(timeout: 0.3)
        let runs = session.count("── changed:")
        session.type("\u{03}")
        guard session.waitForExit() >= 0 else { throw BenchError("the console did not stop watching: \(session.tail())") }
        // One run per save is what watch promises; a save split into two runs would also show in the times.
        if runs != saves { FileHandle.standardError.write(Data("watch: \(saves) saves gave \(runs) runs\n".utf8)) }
        report("watch_save_to_trace_shown_p50", Measure.median(samples) * 1000, "ms")
        report("watch_save_to_trace_shown_p90", Measure.percentile(samples, 90) * 1000, "ms")
        report("watch_quiet_time_floor", watchQuiet, "ms")
        report("watch_runs_per_save", Double(runs) / Double(saves), "x")
    }

    /// The inputs of the recorded Python-plugin traces: every tenth one is blocked by the blacklist.
    static func pythonTraceInput(_ i: Int) -> JSONValue {
        let text = i % 10 == 9 ? "please rm -rf query \(i)" : "  How to LAUNCH dagstack, setup \(i)?  "
        return ["text": .string(text), "tenant_id": i % 3 == 0 ? "other" : "acme-corp"]
    }

    // 12. Replay of a recording of traces through Python plugins (the seed chain), in process, as
    // `replay_10000_swift_traces` is; the reference runs the same calls (reference_bench.py).
    static func replayPython(recording: String?) async throws {
        let (temp, plugins) = try copyOfPlugins(only: ["normalizer", "blacklist", "synonymizer", "tenant-enricher", "kinds", "resources.json"])
        defer { try? FileManager.default.removeItem(atPath: temp) }
        let file = recording ?? temp + "/python-traces.jsonl"
        let count = 2000
        let console = ConsoleState(options: ConsoleState.Options())
        _ = await console.start(plugins)
        _ = await console.execute("record \(file)")
        for i in 0..<count { _ = await console.execute("trace query_rewriter.rewrite \(pythonTraceInput(i).encoded())") }
        _ = await console.execute("record stop")
        await console.close()
        var rates: [Double] = []
        for _ in 0..<3 {
            let start = ContinuousClock.now
            let (status, _) = await ConsoleState.replay(file: file, directory: plugins, options: ConsoleState.Options())
            let elapsed = Measure.seconds(ContinuousClock.now - start)
            precondition(status == 0, "the replay of Python-plugin traces diverged")
            rates.append(Double(count) / elapsed)
        }
        report("replay_2000_python_traces", Measure.median(rates), "commands/s")
    }
}
