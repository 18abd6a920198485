import Foundation
import PluginHosts
import PluginSystem
import Synchronization
import SystemPackage

/// Re-runs a recording against what is loaded now, in a session of its own (the user's switches are
/// not touched), one command at a time, and says for each whether it came out the same.
final class SessionReplayer: Sendable {
    let file: SessionFile
    let directory: String
    let replay: ConsoleState
    let comparison: ResultComparison

    /// Commands that manage recordings are not replayed.
    static let notReplayed: Set<String> = ["record", "replay", "sessions", "quit", "exit"]

    private struct State {
        var cursor = 0
        var reports: [ReplayEntry] = []
    }

    private let state = Mutex(State())

    private init(file: SessionFile, directory: String, replay: ConsoleState, comparison: ResultComparison) {
        self.file = file
        self.directory = directory
        self.replay = replay
        self.comparison = comparison
    }

    /// Loads `directory` in a fresh session with the recording's starting switches.
    static func start(_ file: SessionFile, directory: String, options: ConsoleState.Options) async -> SessionReplayer {
        var options = options
        let first = file.count > 0 ? (try? file.entry(0))?.state : nil
        for (name, value) in file.header.resources { options.resources[name] = value }
        for (name, value) in first?["resources"]?.objectValue ?? [:] { options.resources[name] = value }
        let console = ConsoleState(options: options)
        await console.load(directory)
        let absolute = FilePath(expandingTilde: directory).absolute.string
        let comparison = ResultComparison(
            recordedDirectories: [file.header.pluginDir, file.header.pluginDirAbsolute], currentDirectories: [directory, absolute])
        return SessionReplayer(file: file, directory: directory, replay: console, comparison: comparison)
    }

    var position: (next: Int, total: Int) { (state.withLock { $0.cursor } + 1, file.count) }
    var isFinished: Bool { state.withLock { $0.cursor >= file.count } }
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

    /// Runs the next recorded command and compares its result; nil when the recording is over.
    func runNext() async -> ReplayEntry? {
        guard let location = upcomingLocation else { return nil }
        let index = state.withLock { s in defer { s.cursor += 1 }; return s.cursor }
        let entry: SessionFile.Entry
        do { entry = try file.entry(index) } catch {
            let unread = SessionFile.Entry(seq: location.seq, line: location.line, state: .null, result: .null, fileLine: location.fileLine)
            let report = ReplayEntry(entry: unread, verdict: .skipped, now: nil, diff: [], firstStage: nil, note: error.message)
            state.withLock { $0.reports.append(report) }
            return report
        }
        let name = String(entry.line.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        let report: ReplayEntry
        if Self.notReplayed.contains(name) {
            report = ReplayEntry(entry: entry, verdict: .skipped, now: nil, diff: [], firstStage: nil)
        } else if let why = Self.notRun[name] {
            report = ReplayEntry(entry: entry, verdict: .skipped, now: nil, diff: [], firstStage: nil, note: why)
        } else {
            await replay.applySwitches(entry.state)
            let now = await replay.execute(entry.line)?.json ?? .null
            let diff = comparison.diff(recorded: entry.result, now: now)
            report = ReplayEntry(
                entry: entry, verdict: diff.isEmpty ? .same : .diverged, now: now, diff: diff,
                firstStage: diff.isEmpty ? nil : comparison.firstStageDifference(recorded: entry.result, now: now))
        }
        state.withLock { $0.reports.append(report) }
        return report
    }

    /// Plugins whose folder changed since the recording, or that came or went.
    func changedPlugins() async -> [PluginChange] {
        guard let registry = await replay.registry else { return [] }
        let recorded = Dictionary(file.header.plugins.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var changes: [PluginChange] = []
        for record in registry.records {
            let now = record.folder.map(Fingerprint.of(folder:)) ?? ""
            guard let before = recorded[record.name] else { changes.append(PluginChange(plugin: record.name, change: "added")); continue }
            if before.fingerprint != now { changes.append(PluginChange(plugin: record.name, change: "changed")) }
            else if before.priority != record.manifest.priority { changes.append(PluginChange(plugin: record.name, change: "priority")) }
        }
        let current = Set(registry.records.map(\.name))
        for plugin in file.header.plugins where !current.contains(plugin.name) {
            changes.append(PluginChange(plugin: plugin.name, change: "removed"))
        }
        return changes
    }

    /// The report so far; tears the replay's session down when `close` is set.
    func report(close: Bool) async -> ReplayReport {
        let changes = await changedPlugins()
        if close { await replay.close() }
        return ReplayReport(file: file, directory: directory, entries: reports, changedPlugins: changes, finished: isFinished)
    }
}

struct PluginChange: Sendable {
    var plugin: String
    /// `changed` (its files), `priority` (its manifest priority), `added`, `removed`.
    var change: String
}

struct ReplayEntry: Sendable {
    enum Verdict: String, Sendable { case same, diverged, skipped }
    var entry: SessionFile.Entry
    var verdict: Verdict
    var now: JSONValue?
    var diff: [PatchOperation]
    var firstStage: StageDifference?
    /// Why a command was skipped, when it is not one that manages recordings.
    var note: String? = nil

    var json: JSONValue {
        var o: JSONObject = ["seq": .int(entry.seq), "line": .string(entry.line), "verdict": .string(verdict.rawValue)]
        if let note { o["note"] = .string(note) }
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
