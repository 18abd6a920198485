import Inspector
import PluginSystem
import SystemPackage

/// A replay that stops at the user's breakpoints: the replayed command's walk is handed to this
/// console as its step session, and handed back when it is done.
extension ConsoleState {
    /// In a replay's own session: the user's breakpoints a replayed command may stop for.
    func setGuestBreakpoints(_ breakpoints: [Breakpoint]) {
        let own = Set(debugger.breakpoints.map(\.spec))
        debugger.guests = breakpoints.filter { !own.contains($0.spec) }
    }

    /// The breakpoints a replay started here stops at, or why it stops at none of them: only a
    /// person at the prompt can take a walk over, `watch replay` does not wait for one, and
    /// `--update` accepts what the commands do on their own.
    func replayPauses(_ replay: SessionReplayer) -> (breakpoints: [Breakpoint], unused: String?) {
        guard !debugger.breakpoints.isEmpty else { return ([], nil) }
        if replay.settings.update { return ([], "--update accepts what the commands do on their own, without stopping") }
        if watching { return ([], "`watch replay` replays on every change without stopping") }
        guard options.interactive else {
            return ([], "a replay stops at them only at an interactive prompt, and this console runs -c commands, a script or a pipe")
        }
        return (debugger.breakpoints, nil)
    }

    /// Runs a replay on: to its end (the report), or to a command that stops at one of the user's
    /// breakpoints (its walk becomes the step session here). The entries from `shownFrom` on are
    /// shown with the stop.
    func runReplay(_ replay: SessionReplayer, shownFrom: Int = 0, header: Bool = true) async -> any CommandOutput {
        let (pausing, unused) = replayPauses(replay)
        while let step = await replay.runNext(pausingAt: pausing) {
            guard case .held(let held) = step else { continue }
            take(held, of: replay)
            return ReplayPausedOutput(replay: replay, shownFrom: shownFrom, header: header, held: held)
        }
        if replayer === replay { replayer = nil }
        var report = await replay.report(close: true)
        report.unusedBreakpoints = unused
        return report
    }

    /// The held walk becomes this console's step session.
    func take(_ held: HeldEntry, of replay: SessionReplayer) {
        replayer = replay
        stepper = held.walk
        countHit(held.walk.pause)
        debugger.walkView = TraceText.View()
    }

    /// After a command typed while a replay is held: once the held walk is done, the replay takes
    /// it back, judges the entry and goes on (a stepping replay waits for `next`); a walk the user
    /// aborted stops the replay. The command's result then carries the replay's.
    func handBackIfDone(_ executed: ExecutedCommand) async -> ExecutedCommand {
        guard let replay = replayer, let held = replay.held, held.isDone else { return executed }
        if stepper === held.walk { stepper = nil }
        let why = held.doneReason
        guard let (entry, aborted) = await replay.release() else { return executed }
        let next: any CommandOutput
        if aborted {
            replayer = nil
            next = await replay.report(close: true)
        } else if replay.stepping {
            next = ReplayStepOutput(replayer: replay, entries: [entry], shown: nil)
        } else {
            next = await runReplay(replay, shownFrom: replay.reports.count - 1, header: false)
        }
        return ExecutedCommand(
            line: executed.line, name: executed.name, output: ReplayResumedOutput(command: executed.output, handBack: why, replay: next), error: executed.error,
            quits: executed.quits)
    }

    /// While a replay is held, a command that would start another walk (or replay) is refused.
    func refuseWhileHeld(_ name: String) throws(ConsoleError) {
        guard let replay = replayer, let held = replay.held, ["trace", "step", "call", "again", "debug", "replay"].contains(name) else { return }
        throw ConsoleError(
            "the replay of \(replay.file.path) stands at \(held.index + 1)/\(replay.file.count) with its walk: `continue` runs the walk on (then the replay goes on), `abort` ends it and the replay")
    }

    /// `replay s.jsonl 2/5 step query_rewriter.rewrite 3/5 spellfix`: the held entry and the stage.
    var heldReplayPrompt: String? {
        guard let replay = replayer, let held = replay.held, let step = stepPrompt else { return nil }
        return "replay \(FilePath(replay.file.path).lastComponent?.string ?? replay.file.path) \(held.index + 1)/\(replay.file.count) \(step)"
    }
}

/// A replay stopped at one of the user's breakpoints: the entries run so far, and what the held
/// command printed when it stopped.
struct ReplayPausedOutput: CommandOutput {
    var file: String
    var directory: String
    var recorded: String
    var recordedDirectory: String
    var entries: [ReplayEntry]
    var header: Bool
    var held: HeldEntry
    var total: Int

    init(replay: SessionReplayer, shownFrom: Int, header: Bool, held: HeldEntry) {
        file = replay.file.path
        directory = replay.directory
        recorded = replay.file.header.created
        recordedDirectory = replay.file.header.pluginDir
        entries = Array(replay.reports.dropFirst(shownFrom))
        self.header = header
        self.held = held
        total = replay.file.count
    }

    var json: JSONObject {
        [
            "file": .string(file), "plugin_dir": .string(directory), "entries": .array(entries.map(\.json)), "finished": false,
            "held": [
                "seq": .int(held.entry.seq), "line": .string(held.entry.line), "position": .int(held.index + 1), "of": .int(total),
                "breakpoint": .int(held.hit.breakpoint.id), "result": held.paused.json,
            ],
        ]
    }

    func text(_ style: TextStyle) -> String {
        var lines: [String] = []
        lines.append(header
            ? style.bold("replay \(file)") + style.dim(" against \(directory) (recorded \(recorded) on \(recordedDirectory))")
            : style.bold("replay \(file)") + style.dim(" goes on"))
        for entry in entries { lines += ReplayReport.lines(entry, style) }
        lines.append("  " + pad("\(held.entry.seq)", 4) + style.yellow("stopped ") + "  " + held.entry.line)
        lines.append(held.paused.text(style))
        lines.append(style.yellow("replay stopped at \(held.index + 1)/\(total) at your \(held.breakpointName)")
            + style.dim(": the walk is yours — when it ends, the replay goes on (`abort` ends it and the replay)"))
        return lines.joined(separator: "\n")
    }
}

/// A command that ended a held walk, and what the replay did next: the rest of it (or up to the
/// next stop), or, stepping, the entry judged.
struct ReplayResumedOutput: CommandOutput {
    var command: (any CommandOutput)?
    /// Why the walk went back to the replay before its chain was over.
    var handBack: String?
    var replay: any CommandOutput

    var succeeded: Bool { command?.succeeded ?? true }
    var pluginFailures: [DagstackError] { command?.pluginFailures ?? [] }

    var json: JSONObject {
        var o = command?.json ?? [:]
        var replayed = replay.json
        if let handBack { replayed["handed_back"] = .string(handBack) }
        o["replay"] = .object(replayed)
        return o
    }

    func text(_ style: TextStyle) -> String {
        [command?.text(style), handBack.map { style.dim($0) }, replay.text(style)].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n")
    }
}
