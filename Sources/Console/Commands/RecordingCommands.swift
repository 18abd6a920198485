import Foundation
import PluginHosts
import PluginSystem

/// `record FILE [--ignore POINTER]... [--http MODE]`, `record stop`: keep this session's commands and
/// results in a file.
enum RecordCommand {
    static let usage = "record FILE [--ignore POINTER]... [--http replay|new|live] | record stop"

    static let spec = CommandSpec(
        name: "record", usage: usage, summary: "record the commands you run and their results to a session file",
        help: """
            `record FILE` starts writing every command you run, exactly as typed, with the switches in force and
            its result, to FILE (JSON Lines, docs/sessions.md). A bare name goes in the sessions/ folder next to
            the plugin directory, with .jsonl added. Each entry is on disk before the next command runs.
            Every HTTP request a plugin makes through http_client is kept with its response (secret headers
            masked), so a replay can run without the network.
            --ignore POINTER (repeatable) keeps a rule in the file that every replay of it applies: a JSON
            Pointer into a command's result, * for any member or index (/stages/*/after/request_id).
            --http chooses what replays do with HTTP requests: replay (default: answered from the recording,
            never the network; one it lacks is a divergence), new (ones it lacks go to the network), live
            (all go to the network; a request that differs is a divergence).
            `record stop` ends it; `record` alone says whether you are recording.
            """,
        arguments: [.path, .words(["stop", "--ignore", "--http", "replay", "new", "live"])],
        run: { args, console throws(ConsoleError) in
            let words = try args.words()
            guard !words.isEmpty else { return await console.recordingStatus }
            let options = try CommandOptions(words, flags: [], options: ["--ignore", "--http"], usage: usage)
            guard let word = options.positional.first else { throw args.usageError(usage, "missing FILE") }
            guard !word.isEmpty else { throw args.usageError(usage, "FILE is empty: name the session file") }
            guard options.positional.count == 1 else {
                throw args.usageError(usage, "unexpected '\(options.positional[1])': one FILE only; quote a name with spaces")
            }
            if word == "stop" {
                guard options.values.isEmpty else { throw args.usageError(usage, "`record stop` takes no options") }
                return try await console.stopRecording()
            }
            let http = try HTTPMode.parse(try options.single("--http", usage: usage), usage: usage)
            return try await console.startRecording(word, ignore: options.all("--ignore"), http: http ?? .replay)
        })
}

extension HTTPMode {
    /// `--http MODE` as typed; nil when not given.
    static func parse(_ word: String?, usage: String) throws(ConsoleError) -> HTTPMode? {
        guard let word else { return nil }
        guard let mode = HTTPMode(rawValue: word) else {
            throw ConsoleError("--http '\(word)': the modes are \(allCases.map(\.rawValue).joined(separator: ", "))\nusage: \(usage)")
        }
        return mode
    }
}

/// `replay FILE [--step] [--ignore POINTER]... [--http MODE] [--update [--yes]]`.
enum ReplayCommand {
    static let usage = "replay FILE [--step] [--ignore POINTER]... [--http replay|new|live] [--update [--yes]]"

    static let spec = CommandSpec(
        name: "replay", usage: usage, summary: "re-run a recorded session and show where the results diverge",
        help: """
            Re-runs every command of FILE against what is loaded now (in a separate session: your switches are
            left alone) and prints for each `same` or `diverged` — with the first trace stage whose output
            differs and the diff recorded → now — then the plugins whose files changed since the recording and
            the totals. Durations, process ids and temporary paths are never compared.
            --ignore POINTER (repeatable) leaves out what a JSON Pointer names in every result, * for any
            member or index (/stages/*/after/request_id covers that field of the value everywhere in a trace),
            besides the rules kept in the recording; the report says how many differences were ignored.
            --http overrides the recording's HTTP mode (replay, new, live; see `help record`).
            --update accepts what happens now: after printing each difference, it rewrites the entries that
            diverged, keeps every other line byte for byte and the old file as FILE.bak. In CI (CI set, or no
            terminal) it refuses unless --yes is given too.
            With --step, walks the recording one command at a time: next (n) runs the next one, continue (c)
            the rest, show prints the recorded result of the next one, diff the differences of the last one,
            abort stops.
            Your breakpoints (`break`): at an interactive prompt, a replayed trace, chain call, again or
            continue that reaches one stops there, and its walk becomes your step session — the prompt
            shows the entry and the stage (replay s.jsonl 2/5 step KIND.HOOK 3/5 PLUGIN>); next, set, skip,
            back, goto, retry and continue drive it, other commands work, a new trace or step waits. When
            the walk ends, or gets where the recorded command stopped (one of its own breakpoints, a stage
            that raised), the replay takes it back: the entry is compared when you only let it run on
            (next, continue), reported `excluded` when you changed it; then the replay goes on (with
            --step, at your `next`). abort ends the walk and the replay. A replay never stops at your
            breakpoints with -c, a script or a pipe, in `watch replay`, with --update, or from --replay:
            the report says they were not used.
            """,
        arguments: [.path, .words(["--step", "--ignore", "--http", "--update", "--yes"])],
        run: { args, console throws(ConsoleError) in
            let options = try CommandOptions(
                try args.words(), flags: ["--step", "--update", "--yes"], options: ["--ignore", "--http"], usage: usage)
            guard let name = options.positional.first else { throw args.usageError(usage, "missing FILE") }
            guard !name.isEmpty else { throw args.usageError(usage, "FILE is empty: name the session file") }
            guard options.positional.count == 1 else {
                throw args.usageError(usage, "unexpected '\(options.positional[1])': one FILE only; quote a name with spaces")
            }
            if options.has("--yes") && !options.has("--update") { throw args.usageError(usage, "--yes goes with --update") }
            var settings = ReplaySettings()
            settings.ignore = options.all("--ignore")
            settings.http = try HTTPMode.parse(try options.single("--http", usage: usage), usage: usage)
            settings.update = options.has("--update")
            settings.confirmed = options.has("--yes")
            return try await console.startReplay(name, stepping: options.has("--step"), settings: settings)
        })

    /// A walk verb, typed while stepping through a replay.
    static func verb(_ name: String, console: ConsoleState) async throws(ConsoleError) -> any CommandOutput {
        guard let replayer = await console.replayer else { throw ConsoleError("not replaying; start with `replay FILE --step`") }
        switch name {
        case "next", "n":
            let from = replayer.reports.count
            switch await replayer.runNext(pausingAt: await console.replayPauses(replayer).breakpoints) {
            case .entry(let entry)?: return ReplayStepOutput(replayer: replayer, entries: [entry], shown: nil)
            case .held(let held)?:
                await console.take(held, of: replayer)
                return ReplayPausedOutput(replay: replayer, shownFrom: from, header: false, held: held)
            case nil: break
            }
        case "continue", "c":
            let from = replayer.reports.count
            let pausing = await console.replayPauses(replayer).breakpoints
            while let step = await replayer.runNext(pausingAt: pausing) {
                guard case .held(let held) = step else { continue }
                await console.take(held, of: replayer)
                return ReplayPausedOutput(replay: replayer, shownFrom: from, header: false, held: held)
            }
            let entries = Array(replayer.reports.dropFirst(from))
            if !entries.isEmpty { return ReplayStepOutput(replayer: replayer, entries: entries, shown: nil) }
        case "show":
            guard replayer.upcomingLocation != nil, let next = replayer.upcoming else { break }
            return ReplayStepOutput(replayer: replayer, entries: [], shown: next)
        case "diff":
            guard let last = replayer.reports.last else { throw ConsoleError("nothing replayed yet; `next` runs the first command") }
            return ReplayStepOutput(replayer: replayer, entries: [last], shown: nil, detailed: true)
        default:
            break
        }
        let report = await replayer.report(close: true)
        await console.endReplay()
        return report
    }
}

/// One step of a replay walk: what ran and how it compared, or a recorded result.
struct ReplayStepOutput: CommandOutput {
    var position: (next: Int, total: Int)
    var entries: [ReplayEntry]
    var shown: SessionFile.Entry?
    var detailed = false

    init(replayer: SessionReplayer, entries: [ReplayEntry], shown: SessionFile.Entry?, detailed: Bool = false) {
        position = replayer.position
        self.entries = entries
        self.shown = shown
        self.detailed = detailed
    }

    var json: JSONObject {
        var o: JSONObject = ["entries": .array(entries.map(\.json)), "next": .int(position.next), "of": .int(position.total)]
        if let shown { o["recorded"] = ["seq": .int(shown.seq), "line": .string(shown.line), "result": shown.result] }
        if detailed, let entry = entries.first { o["now"] = entry.now ?? .null; o["recorded_result"] = entry.entry.result }
        return o
    }

    func text(_ style: TextStyle) -> String {
        if let shown {
            return style.bold("recorded \(shown.seq): \(shown.line)") + "\n" + shown.result.encoded(pretty: true)
        }
        var lines = entries.flatMap { ReplayReport.lines($0, style) }
        if detailed, let entry = entries.first, entry.verdict == .diverged, entry.firstStage != nil {
            for op in entry.diff { lines += TraceText.operation(op, style).map { "  " + $0 } }
        }
        if position.next <= position.total {
            lines.append(style.dim("next: \(position.next)/\(position.total) — next, continue, show, diff, abort"))
        }
        return lines.joined(separator: "\n")
    }
}

/// `sessions`: the recordings in the sessions folder; `sessions diff A B`: two recordings compared.
enum SessionsCommand {
    static let usage = "sessions | sessions diff A B [--ignore POINTER]..."

    static let spec = CommandSpec(
        name: "sessions", usage: usage, summary: "list the recorded sessions, or compare two recordings",
        help: """
            `sessions` lists the session files in the sessions/ folder next to the plugin directory: when each was
            recorded, how many commands it holds and against which plugin directory.
            `sessions diff A B` compares two recordings — of the same commands before and after a plugin changed,
            or against two plugin directories: their commands aligned one by one, and for each one whose result
            differs, the first trace stage that differs and how its output changed, A → B; then the plugins
            that differ between the two. Durations, pids, temporary paths and each recording's plugin directory
            are not compared; --ignore POINTER (repeatable) leaves out more, as `replay --ignore` does.
            A and B are paths, or bare names in the sessions folder.
            """,
        arguments: [.words(["diff"]), .path, .path],
        run: { args, console throws(ConsoleError) in
            let options = try CommandOptions(try args.words(), flags: [], options: ["--ignore"], usage: usage)
            guard let verb = options.positional.first else {
                guard options.values.isEmpty else { throw args.usageError(usage, "--ignore goes with `sessions diff`") }
                return SessionsOutput(folder: await console.sessionsFolder)
            }
            guard verb == "diff" else { throw args.usageError(usage, "unknown subcommand '\(verb)'") }
            guard options.positional.count == 3 else {
                throw args.usageError(usage, options.positional.count < 3 ? "`sessions diff` needs two session files" : "unexpected '\(options.positional[3])'")
            }
            let a = try await console.openSession(options.positional[1])
            let b = try await console.openSession(options.positional[2])
            return try SessionDiff.compare(a, b, ignore: options.all("--ignore"))
        })
}

struct SessionsOutput: CommandOutput {
    struct Row {
        var file: String
        var created: String?
        var commands: Int?
        var pluginDir: String?
        var problem: String?
    }

    var folder: String
    var rows: [Row]

    init(folder: String) {
        self.folder = folder
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
        rows = names.map { name in
            let path = folder + "/" + name
            // The header and a count of lines: a listing does not read every recorded result.
            switch Result(catching: { () throws(SessionFileError) in (try SessionFile.readHeader(path), try SessionFile.entryCount(path)) }) {
            case .success(let (header, count)):
                return Row(file: path, created: header.created, commands: count, pluginDir: header.pluginDir)
            case .failure(let error):
                return Row(file: path, problem: error.message)
            }
        }
    }

    var json: JSONObject {
        ["folder": .string(folder), "sessions": .array(rows.map { r in
            var o: JSONObject = ["file": .string(r.file)]
            if let c = r.created { o["created"] = .string(c) }
            if let n = r.commands { o["commands"] = .int(n) }
            if let d = r.pluginDir { o["plugin_dir"] = .string(d) }
            if let p = r.problem { o["error"] = .string(p) }
            return .object(o)
        })]
    }

    func text(_ style: TextStyle) -> String {
        guard !rows.isEmpty else { return "no sessions in \(folder)" }
        return rows.map { r in
            if let problem = r.problem { return pad(r.file, 44) + style.red("unusable: ") + problem }
            return pad(r.file, 44) + pad(r.created ?? "", 22) + pad(SessionDiff.count(r.commands ?? 0), 14) + style.dim(r.pluginDir ?? "")
        }.joined(separator: "\n")
    }
}
