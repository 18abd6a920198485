import Foundation
import PluginHosts
import PluginSystem
import Synchronization
import SystemPackage

/// Re-runs a recording against what is loaded now, in a session of its own (the user's switches are
/// not touched), one command at a time, and says for each whether it came out the same. A command
/// that stops at one of the user's breakpoints is held: its walk is the user's until it ends.
final class SessionReplayer: Sendable {
    let file: SessionFile
    let directory: String
    let replay: ConsoleState
    let comparison: ResultComparison
    let settings: ReplaySettings
    /// `replay FILE --step`: one command at a time, at the user's word.
    let stepping: Bool

    /// Commands that manage recordings, and `watch` (which runs until Ctrl-C), are not replayed.
    static let notReplayed: Set<String> = ["record", "replay", "sessions", "watch", "quit", "exit"]

    private struct State {
        var cursor = 0
        /// The HTTP requests of the replay's own load that did not match the recording's set-up ones,
        /// and the exchanges it made.
        var setupMismatches: [HTTPMismatch] = []
        var setupMade: [HTTPExchange] = []
        var reports: [ReplayEntry] = []
        var held: HeldEntry?
    }

    private let state = Mutex(State())

    private init(file: SessionFile, directory: String, replay: ConsoleState, comparison: ResultComparison, settings: ReplaySettings, stepping: Bool) {
        self.file = file
        self.directory = directory
        self.replay = replay
        self.comparison = comparison
        self.settings = settings
        self.stepping = stepping
    }

    /// The ignore rules of a replay of `file`: the recording's own and the settings'.
    static func ignoreRules(_ file: SessionFile, _ settings: ReplaySettings) throws(ConsoleError) -> IgnoreRules {
        try IgnoreRules(file.header.ignore + settings.ignore)
    }

    /// Loads `directory` in a fresh session with the recording's starting switches.
    static func start(
        _ file: SessionFile, directory: String, options: ConsoleState.Options, settings: ReplaySettings = ReplaySettings(), ignore: IgnoreRules = .none,
        stepping: Bool = false
    ) async -> SessionReplayer {
        var options = options
        let first = file.count > 0 ? (try? file.entry(0))?.state : nil
        for (name, value) in file.header.resources { options.resources[name] = value }
        for (name, value) in first?["resources"]?.objectValue ?? [:] { options.resources[name] = value }
        options.noticesEdits = false
        let console = ConsoleState(options: options)
        let mode = settings.http ?? file.header.http
        if let mode { console.httpCassette.serve(file.header.setupHTTP, mode: mode) }
        await console.load(directory)
        let setup = mode == nil ? nil : console.httpCassette.finish()
        let absolute = FilePath(expandingTilde: directory).absolute.string
        let comparison = ResultComparison(
            recordedDirectories: [file.header.pluginDir, file.header.pluginDirAbsolute], currentDirectories: [directory, absolute], ignore: ignore,
            version: file.header.version)
        let walk = SessionReplayer(file: file, directory: directory, replay: console, comparison: comparison, settings: settings, stepping: stepping)
        if let setup { walk.state.withLock { $0.setupMismatches = setup.mismatches; $0.setupMade = setup.made } }
        return walk
    }

    /// What a replay does with HTTP requests: `--http`, else the recording's mode; nil for a recording
    /// made before requests were kept (they go to the client as they did then).
    var httpMode: HTTPMode? { settings.http ?? file.header.http }

    var position: (next: Int, total: Int) { (state.withLock { $0.cursor } + 1, file.count) }
    var isFinished: Bool { state.withLock { $0.cursor >= file.count && $0.held == nil } }
    /// The command that stopped at one of the user's breakpoints, while its walk is theirs.
    var held: HeldEntry? { state.withLock { $0.held } }
    /// Where the next entry is in the file, or nil when the recording is over.
    var upcomingLocation: SessionFile.EntryLocation? {
        state.withLock { $0.cursor < file.count ? file.locations[$0.cursor] : nil }
    }
    /// The next entry, read from the file.
    var upcoming: SessionFile.Entry? { upcomingLocation.flatMap { _ in try? file.entry(position.next - 1) } }
    var reports: [ReplayEntry] { state.withLock { $0.reports } }

    /// Commands a replay shows but does not run, and why: a replay runs against the directory the
    /// user named, never one a recording (perhaps crafted) names.
    static let notRun: [String: String] = [
        "load": "not replayed: `load` would load another directory (a replay runs only against the one it was given)",
    ]

    /// What running the next command did: it was compared (or skipped), or it stopped at one of
    /// the user's breakpoints and is held.
    enum Step: Sendable {
        case entry(ReplayEntry)
        case held(HeldEntry)
    }

    /// Runs the next recorded command and compares its result; nil when the recording is over.
    /// A command that walks a chain on to a breakpoint (`trace`, `call`, `again`, `continue`) also
    /// stops at `pausingAt` — the user's breakpoints — and is then held instead of compared.
    func runNext(pausingAt userBreakpoints: [Breakpoint] = []) async -> Step? {
        guard held == nil, let location = upcomingLocation else { return nil }
        let index = state.withLock { s in defer { s.cursor += 1 }; return s.cursor }
        let entry: SessionFile.Entry
        do { entry = try file.entry(index) } catch {
            let unread = SessionFile.Entry(seq: location.seq, line: location.line, state: .null, result: .null, fileLine: location.fileLine)
            let report = ReplayEntry(entry: unread, verdict: .skipped, now: nil, diff: [], firstStage: nil, note: error.message)
            state.withLock { $0.reports.append(report) }
            return .entry(report)
        }
        let name = String(entry.line.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        let report: ReplayEntry
        if Self.notReplayed.contains(name) {
            report = ReplayEntry(entry: entry, verdict: .skipped, now: nil, diff: [], firstStage: nil)
        } else if let why = Self.notRun[name] {
            report = ReplayEntry(entry: entry, verdict: .skipped, now: nil, diff: [], firstStage: nil, note: why)
        } else {
            await replay.applySwitches(entry.state)
            if let mode = httpMode { replay.httpCassette.serve(entry.http, mode: mode) }
            // Only a command that walks on to a breakpoint may stop for the user's.
            let command = userBreakpoints.isEmpty ? nil : HeldEntry.Command(name)
            let before = command == nil ? nil : await replay.stepper.map(HeldEntry.Mark.init)
            if command != nil { await replay.setGuestBreakpoints(userBreakpoints) }
            let executed = await replay.execute(entry.line)
            let held = if let command, let executed { await hold(index, entry, command, executed, before: before) } else { HeldEntry?.none }
            if command != nil { await replay.setGuestBreakpoints([]) }
            if let held {
                // The recorded exchanges keep answering while the user drives the walk.
                state.withLock { $0.held = held }
                return .held(held)
            }
            report = finish(entry, now: executed?.json ?? .null)
        }
        state.withLock { $0.reports.append(report) }
        return .entry(report)
    }

    /// The entry compared: the result now against the recorded one, and the HTTP requests made
    /// since it began against the recorded ones.
    private func finish(_ entry: SessionFile.Entry, now: JSONValue, note: String? = nil) -> ReplayEntry {
        let http = httpMode == nil ? (made: [], mismatches: []) : replay.httpCassette.finish()
        let outcome = comparison.compare(recorded: entry.result, now: now)
        return ReplayEntry(
            entry: entry, verdict: outcome.isSame && http.mismatches.isEmpty ? .same : .diverged, now: now, diff: outcome.diff,
            firstStage: outcome.firstStage, ignored: outcome.ignored, http: http.mismatches, made: http.made, note: note)
    }

    /// The entry as held when its command stopped at a guest (the user's) breakpoint; nil when it
    /// did not.
    private func hold(
        _ index: Int, _ entry: SessionFile.Entry, _ command: HeldEntry.Command, _ executed: ExecutedCommand, before: HeldEntry.Mark?
    ) async -> HeldEntry? {
        guard let walk = await replay.stepper, !walk.isFinished, case .breakpoint(let hit)? = walk.pause,
            await replay.debugger.guests.contains(where: { $0.id == hit.breakpoint.id && $0.spec == hit.breakpoint.spec })
        else { return nil }
        // A `continue` went on with the walk there was; a trace or a call started its own.
        let start = command == .continue ? (before ?? .fresh) : .fresh
        return HeldEntry(
            index: index, entry: entry, command: command, walk: walk, start: start, hit: hit,
            recorded: await replay.debugger.applying(to: walk.tracer, guests: false), paused: executed)
    }

    /// Gives the held entry back to the replay once its walk is done (or the user aborted it):
    /// compared when the walk only ran on, excluded when the user changed it. Returns the entry,
    /// and whether the user aborted the walk (which stops the replay).
    func release() async -> (entry: ReplayEntry, aborted: Bool)? {
        guard let held else { return nil }
        let walk = held.walk
        let changes = held.changes
        let report: ReplayEntry
        if changes.isEmpty {
            // A trace or a call that reached a stage that raised fails there, as it did unheld.
            if held.command != .continue, walk.isHalted { walk.abort() }
            // Stopped as the recorded command stopped: at that breakpoint, with nothing run.
            if held.recordedStopAhead != nil { await walk.run(.end, breakpoints: held.recorded, checkFirst: true) }
            report = finish(held.entry, now: held.unchangedResult, note: "stopped at your \(held.breakpointName) and ran on unchanged, so it is compared")
        } else {
            _ = httpMode == nil ? nil : replay.httpCassette.finish()
            report = ReplayEntry(
                entry: held.entry, verdict: .excluded, now: nil, diff: [], firstStage: nil,
                note: "not compared: it stopped at your \(held.breakpointName) and you changed its walk (\(changes.joined(separator: ", ")))")
        }
        // Stopped where the recorded command stopped: that breakpoint's hit is the replay's.
        await replay.countHit(walk.pause)
        await replay.settle(walk)
        state.withLock { s in
            s.held = nil
            s.reports.append(report)
        }
        return (report, changes.contains("aborted it"))
    }

    /// Plugins whose folder changed since the recording, or that came or went.
    func changedPlugins() async -> [PluginChange] {
        guard await replay.registry != nil else { return [] }
        return PluginChange.changes(from: file.header.plugins, to: await replay.recordedPlugins)
    }

    /// The report so far; tears the replay's session down when `close` is set. A finished replay
    /// asked to `--update` rewrites the entries that diverged first.
    func report(close: Bool) async -> ReplayReport {
        let changes = await changedPlugins()
        let entries = reports
        var report = ReplayReport(
            file: file, directory: directory, entries: entries, changedPlugins: changes, finished: isFinished, ignore: comparison.ignore.pointers,
            setupHTTP: state.withLock { $0.setupMismatches })
        let diverged = entries.indices.filter { entries[$0].verdict == .diverged }
        if settings.update {
            if !isFinished {
                report.updateProblem = "not updated: the replay did not finish"
            } else if !diverged.isEmpty || !report.setupHTTP.isEmpty {
                var replacements: [Int: SessionUpdater.Replacement] = [:]
                for index in diverged {
                    replacements[index] = SessionUpdater.Replacement(result: entries[index].now ?? .null, http: entries[index].made.map(\.json))
                }
                let setup = report.setupHTTP.isEmpty ? nil : state.withLock { $0.setupMade }.map(\.json)
                do {
                    report.updated = try SessionUpdater.rewrite(
                        file, replacing: replacements, plugins: await replay.recordedPlugins, setupHTTP: setup)
                } catch {
                    report.updateProblem = error.message
                }
            }
        } else if !diverged.isEmpty || !report.setupHTTP.isEmpty {
            report.updateCommand = settings.updateCommand(file: file.path)
        }
        if close { await replay.close() }
        return report
    }
}

struct PluginChange: Sendable {
    var plugin: String
    /// `changed` (its files), `priority` (its manifest priority), `added`, `removed`.
    var change: String

    /// How the plugins of `after` differ from those of `before` (two recordings' headers, or a
    /// recording's and what is loaded now).
    static func changes(from before: [SessionFile.Plugin], to after: [SessionFile.Plugin]) -> [PluginChange] {
        let earlier = Dictionary(before.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var changes: [PluginChange] = []
        for plugin in after {
            guard let old = earlier[plugin.name] else { changes.append(PluginChange(plugin: plugin.name, change: "added")); continue }
            if old.fingerprint != plugin.fingerprint { changes.append(PluginChange(plugin: plugin.name, change: "changed")) }
            else if old.priority != plugin.priority { changes.append(PluginChange(plugin: plugin.name, change: "priority")) }
        }
        let present = Set(after.map(\.name))
        for plugin in before where !present.contains(plugin.name) { changes.append(PluginChange(plugin: plugin.name, change: "removed")) }
        return changes
    }

    var json: JSONValue { ["plugin": .string(plugin), "change": .string(change)] }
}

struct ReplayEntry: Sendable {
    /// `excluded`: the command stopped at one of the user's breakpoints and they changed its walk.
    enum Verdict: String, Sendable { case same, diverged, skipped, excluded }
    var entry: SessionFile.Entry
    var verdict: Verdict
    var now: JSONValue?
    var diff: [PatchOperation]
    var firstStage: StageDifference?
    /// How many differences the ignore rules left out.
    var ignored = 0
    /// The HTTP requests that did not match the recording's (and recorded ones not made again).
    var http: [HTTPMismatch] = []
    /// The HTTP exchanges made now, as `--update` keeps them.
    var made: [HTTPExchange] = []
    /// Why a command was skipped, when it is not one that manages recordings.
    var note: String? = nil

    var json: JSONValue {
        var o: JSONObject = ["seq": .int(entry.seq), "line": .string(entry.line), "verdict": .string(verdict.rawValue)]
        if let note { o["note"] = .string(note) }
        if ignored > 0 { o["ignored"] = .int(ignored) }
        if !http.isEmpty { o["http"] = .array(http.map(\.json)) }
        if verdict == .diverged {
            o["first_stage"] = firstStage?.json ?? .null
            o["diff"] = .array(diff.map(\.json))
        }
        return .object(o)
    }
}

import Inspector

extension ConsoleState {
    /// Sets the switches a recorded entry ran with (disabled plugins, priority overrides, breakpoints).
    func applySwitches(_ state: JSONValue) {
        guard let registry, case .object = state else { return }
        debugger.restoreBreakpoints(from: state)
        let wanted = Set((state["disabled"]?.arrayValue ?? []).compactMap(\.stringValue))
        for record in registry.records {
            try? setEnabled(record.name, !wanted.contains(record.name))
        }
        let priorities = state["priorities"]?.objectValue ?? [:]
        for record in registry.records {
            try? setPriority(record.name, priorities[record.name]?.intValue)
        }
    }
}
