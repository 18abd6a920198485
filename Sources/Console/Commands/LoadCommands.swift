import Foundation
import Inspector
import PluginHosts
import PluginSystem
import SystemPackage

/// What loading a directory gave: the plugins with their states, and everything skipped with why.
struct LoadSummary: CommandOutput {
    var headline: String
    var path: String
    var records: [PluginRecord]
    var problems: [LoadProblem]
    var warnings: [String]
    var dispatchProblems: [DispatchProblem]
    var delta: TraceDelta?
    var rerun: TraceResult?
    /// What tearing down the directory loaded before raised (`load`, `reload`, `resource set`).
    var teardown: DagstackError?
    /// What the plugins loaded before wrote in their teardown.
    var teardownOutput: [(plugin: String, logs: [PluginLog])] = []
    /// What happened to the walk in progress (it goes on with the new code, or it ended).
    var walkNote: String?
    /// Why `reload` did not run the last trace again (it was stopped at a hang or by Ctrl-C).
    var traceNotRun: String?
    /// Why `reload` ran the last trace again without comparing (the user steered that walk).
    var traceNotCompared: String?

    init(directory: PluginDirectory, teardown: DagstackError? = nil) {
        path = directory.path
        headline = "loaded \(directory.path)"
        records = directory.registry.records
        problems = directory.problems
        warnings = directory.notes + directory.registry.warnings
        dispatchProblems = DispatchProblemsOutput.find(directory.registry)
        self.teardown = teardown
    }

    var succeeded: Bool { true }

    /// What did not load: each plugin that failed (set-up raised, timed out, its code did not run)
    /// by name, each file skipped by its path. A batch run's exit status counts them.
    var notLoaded: [String] {
        records.compactMap { record -> String? in
            if case .failed = record.state { return "plugin '\(record.name)'" }
            return nil
        } + problems.map(\.source)
    }

    var json: JSONObject {
        var o: JSONObject = [
            "path": .string(path), "plugins": .array(records.map { .object(PluginJSON.summary($0)) }),
            "problems": .array(problems.map { ["source": .string($0.source), "error": ErrorJSON.json($0.error)] }),
            "warnings": .array(warnings.map(JSONValue.string)),
        ]
        DispatchProblemsOutput.add(dispatchProblems, to: &o)
        if let teardown { o["teardown_errors"] = .array((teardown.errors.isEmpty ? [teardown] : teardown.errors).map(ErrorJSON.json)) }
        let setUp = records.compactMap { r in (r.instance?.phaseOutput ?? []).first { $0.phase == .setup }.map { (r.name, $0.logs) } }
        if !setUp.isEmpty { o["setup_output"] = .array(setUp.map { ["plugin": .string($0.0), "logs": .array($0.1.map(LogJSON.json))] }) }
        if !teardownOutput.isEmpty {
            o["teardown_output"] = .array(teardownOutput.map { ["plugin": .string($0.plugin), "logs": .array($0.logs.map(LogJSON.json))] })
        }
        if let walkNote { o["step"] = .string(walkNote) }
        if let traceNotRun { o["trace_not_run"] = .string(traceNotRun) }
        if let traceNotCompared { o["trace_not_compared"] = .string(traceNotCompared) }
        if let rerun { o["trace"] = .object(TraceJSON.object(rerun)) }
        if let delta { o["changes"] = TraceDeltaJSON.json(delta) }
        return o
    }

    func text(_ style: TextStyle) -> String {
        let active = records.filter { $0.state == .active }.count
        var lines: [String] = []
        if let teardown {
            lines.append(style.red("teardown of the previous load failed") + ":")
            // What they wrote is shown below, with the rest of the teardown output.
            for error in teardown.errors.isEmpty ? [teardown] : teardown.errors { lines.append(ErrorJSON.text(error, style, indent: "  ", logs: false)) }
        }
        for (plugin, logs) in teardownOutput {
            lines += PhaseOutputText.foldedLines(style.bold(plugin) + style.dim(" wrote in teardown:"), logs, more: "`--json` has them all", style, indent: "  ")
        }
        lines.append(headline + ": \(records.count) plugin\(records.count == 1 ? "" : "s"), \(active) active")
        for r in records where r.state != .active {
            lines.append("  " + style.state(r.state.name) + " " + style.bold(r.name) + style.dim(r.state.reason.map { " — \($0)" } ?? ""))
            if case .failed(let error) = r.state {
                lines += PhaseOutputText.foldedLines(style.dim("it wrote:"), error.logs, more: "`show \(r.name)`", style, indent: "    ")
            }
        }
        for r in records {
            let output = (r.instance?.phaseOutput ?? []).filter { $0.phase == .setup }.flatMap(\.logs)
            if case .failed(let error) = r.state, error.logs == output { continue }
            lines += PhaseOutputText.foldedLines(style.bold(r.name) + style.dim(" wrote in set-up:"), output, more: "`show \(r.name)`", style, indent: "  ")
        }
        for p in problems { lines.append("  " + style.red("skipped") + " " + p.source + style.dim(" — \(p.error.description)")) }
        for w in warnings { lines.append("  " + style.yellow("warning") + " " + w) }
        lines += DispatchProblemsOutput.lines(dispatchProblems, style)
        if let walkNote { lines.append(style.bold("step") + ": " + walkNote) }
        if let traceNotRun { lines.append(style.bold("last trace not run again") + ": " + traceNotRun) }
        if let rerun, let delta {
            lines.append(style.bold("last trace run again") + ": " + (delta.isSame ? style.green("same result") : style.yellow("changed")))
            lines.append(TraceDeltaText.render(delta, style))
            if !delta.isSame { lines.append(TraceText.render(rerun, style)) }
        } else if let rerun, let traceNotCompared {
            lines.append(style.bold("last trace run again") + ": not compared, " + traceNotCompared)
            lines.append(TraceText.render(rerun, style))
        }
        return lines.joined(separator: "\n")
    }
}

enum TraceDeltaJSON {
    static func json(_ d: TraceDelta) -> JSONValue {
        [
            "same": .bool(d.isSame),
            "stages": .array(d.stages.map { s in
                ["plugin": .string(s.plugin), "before": s.before.map { .string($0.rawValue) } ?? .null,
                 "after": s.after.map { .string($0.rawValue) } ?? .null, "output_diff": .array(s.outputDiff.map(\.json))]
            }),
            "output_diff": .array(d.outputDiff.map(\.json)),
        ]
    }
}

enum TraceDeltaText {
    static func render(_ d: TraceDelta, _ style: TextStyle) -> String {
        var lines: [String] = []
        for s in d.stages {
            let from = s.before?.rawValue ?? "absent", to = s.after?.rawValue ?? "absent"
            lines.append("  " + pad(s.plugin, 18) + (from == to ? style.dim(to) : "\(style.state(from)) → \(style.state(to))"))
            // A stage that did not run on one side has no output there to compare: not `→ null`.
            let ranBoth = ![from, to].contains { ["not_run", "disabled", "skipped", "absent"].contains($0) }
            if ranBoth { for op in s.outputDiff { lines += TraceText.operation(op, style) } }
        }
        if !d.outputDiff.isEmpty {
            lines.append("  " + style.bold("output"))
            for op in d.outputDiff { lines += TraceText.operation(op, style) }
        }
        return lines.joined(separator: "\n")
    }
}

/// `load DIR`: tear down what is loaded and load another directory.
enum LoadCommand {
    static let usage = "load DIR"

    static let spec = CommandSpec(
        name: "load", usage: usage, summary: "load another plugin directory",
        help: "Tears every plugin of the current directory down and loads DIR. Loading a directory runs its code.",
        arguments: [.path],
                run: { args, console throws(ConsoleError) in
            let words = try args.words()
            guard let path = words.first, !path.isEmpty else { throw args.usageError(usage, "missing DIR") }
            guard words.count == 1 else {
                throw args.usageError(usage, "one DIR only; quote a path with spaces: load '\(words.joined(separator: " "))'")
            }
            var isDirectory: ObjCBool = false
            let expanded = FilePath(expandingTilde: path).string
            guard FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ConsoleError("not a directory: \(path)")
            }
            return await console.loadSummary(expanded)
        })
}

/// `reload`: read manifests and code again, then run the last trace again and show what changed.
enum ReloadCommand {
    static let spec = CommandSpec(
        name: "reload", usage: "reload", summary: "re-read manifests and code, re-run the last trace, show what changed",
        help: """
            Tears everything down, reads the directory again (manifests, plugin code, kinds, resources) and
            sets it up — your disable/enable and priority changes are kept. If you traced a chain before,
            the same trace runs again and the differences from the previous run are shown: edit a plugin,
            `reload`, see the new behaviour.
            """,
        maxWords: 0,
        run: { _, console throws(ConsoleError) in
            // A walk in progress goes on with the new code (its note says so): no older trace runs.
            let previous = await console.stepper == nil ? await console.lastTrace : nil
            var output = try await console.reloadDirectory()
            output.headline = "reloaded \(output.path)"
            if let previous, let stopped = previous.error, [.pluginTimeout, .cancelled].contains(stopped.code) {
                // It would hang again, or run what Ctrl-C stopped: the user decides.
                let at = stopped.plugin.map { " at \($0)" } ?? ""
                output.traceNotRun = "the last trace was stopped\(at) (\(stopped.code.rawValue)): `again` runs it"
            } else if let previous, let registry = await console.registry {
                // Run as a walk (not stopping at breakpoints): `back`, `blame` and `why` reach it after.
                let walk = ChainStepper(
                    tracer: ChainTracer(registry: registry, kind: previous.kind, hook: previous.hook), input: previous.input,
                    progress: await console.progress)
                let steering = await console.lastTraceSteering
                await walk.run(.end)
                await console.settle(walk)
                output.rerun = walk.result
                // What the user changed while stepping is not the new code's doing.
                if let steering { output.traceNotCompared = steering } else { output.delta = TraceDelta(old: previous, new: walk.result) }
            }
            return output
        })
}

extension ConsoleState {
    func reloadDirectory() async throws(ConsoleError) -> LoadSummary {
        guard let path else { throw ConsoleError("no plugin directory is loaded; use `load DIR`") }
        return await loadSummary(path)
    }

    /// Loads `path` and says what loaded, with what tearing the previous load down raised.
    func loadSummary(_ path: String) async -> LoadSummary {
        let loaded = await load(path)
        defer { (teardownErrors, teardownOutput) = (nil, []) }
        var summary = LoadSummary(directory: loaded, teardown: teardownErrors)
        summary.teardownOutput = teardownOutput
        summary.walkNote = debugger.walkNote
        debugger.walkNote = nil
        return summary
    }
}
