import Foundation
import PluginHosts
import PluginSystem
import SystemPackage

extension ConsoleState {
    /// `sessions/` next to the plugin directory (the project's), where recordings go by default.
    var sessionsFolder: String { Self.sessionsFolder(nextTo: path ?? "plugins") }

    static func sessionsFolder(nextTo directory: String) -> String {
        let folder = FilePath(expandingTilde: directory).containingFolder
        return folder == "." ? "sessions" : folder.appending("sessions").string
    }

    /// A bare name goes in the sessions folder; `.jsonl` is added when there is no extension.
    func sessionPath(_ name: String) -> String {
        var path = FilePath(expandingTilde: name)
        if path.extension == nil, let last = path.lastComponent { path = path.removingLastComponent().appending(last.string + ".jsonl") }
        return name.contains("/") ? path.string : FilePath(sessionsFolder).pushing(path).string
    }

    /// The plugins loaded now, as a recording's header lists them: the code as it was loaded, which
    /// is what the recorded results came from even when a file was saved since.
    var recordedPlugins: [SessionFile.Plugin] {
        (registry?.records ?? []).map { r in
            SessionFile.Plugin(
                name: r.name, kind: r.kind, priority: r.manifest.priority, runtime: r.manifest.runtime.rawValue, state: r.state.name,
                fingerprint: loadedCode.fingerprint(of: r.name)
                    ?? r.folder.map { Fingerprint.of(folder: $0, code: PluginCode(folder: $0, manifest: r.manifest)) } ?? "")
        }
    }

    /// The header of a recording starting now.
    func sessionHeader(ignore: [String] = [], http: HTTPMode = .replay) -> SessionFile.Header {
        let directory = path ?? "plugins"
        let formatter = ISO8601DateFormatter()
        return SessionFile.Header(
            version: SessionFile.version, toolVersion: Self.toolVersion, created: formatter.string(from: Date()),
            pluginDir: directory, pluginDirAbsolute: FilePath(expandingTilde: directory).absolute.string, plugins: recordedPlugins,
            resources: JSONObject(uniqueKeysWithValues: options.resources.map { ($0.key, $0.value) }), ignore: ignore, http: http,
            setupHTTP: setupHTTP)
    }

    func startRecording(_ name: String, ignore: [String] = [], http: HTTPMode = .replay) throws(ConsoleError) -> any CommandOutput {
        _ = try requireRegistry()
        if let recorder { throw ConsoleError("already recording to \(recorder.path); `record stop` first") }
        let rules = try IgnoreRules(ignore)
        let target = sessionPath(name)
        recorder = try SessionRecorder(path: target, header: sessionHeader(ignore: rules.pointers, http: http))
        var fields: JSONObject = ["file": .string(target), "recording": true, "http": .string(http.rawValue)]
        if !rules.isEmpty { fields["ignore"] = .array(rules.pointers.map(JSONValue.string)) }
        return MessageOutput(message: "recording to \(target)", fields: fields)
    }

    func stopRecording() throws(ConsoleError) -> any CommandOutput {
        guard let recorder else { throw ConsoleError("not recording") }
        recorder.close()
        self.recorder = nil
        return MessageOutput(
            message: "recorded \(recorder.entries) command\(recorder.entries == 1 ? "" : "s") to \(recorder.path)",
            fields: ["file": .string(recorder.path), "commands": .int(recorder.entries), "recording": false])
    }

    var recordingStatus: any CommandOutput {
        guard let recorder else { return MessageOutput(message: "not recording", fields: ["recording": false]) }
        return MessageOutput(
            message: "recording to \(recorder.path) (\(recorder.entries) commands so far)",
            fields: ["file": .string(recorder.path), "commands": .int(recorder.entries), "recording": true])
    }

    /// A session file named as the user typed it: a path, or a bare name in the sessions folder.
    func openSession(_ name: String) throws(ConsoleError) -> SessionFile {
        guard !name.isEmpty else { throw ConsoleError("the session file's name is empty") }
        let candidate = FileManager.default.fileExists(atPath: name) ? name : sessionPath(name)
        do { return try SessionFile.read(candidate) } catch { throw ConsoleError(error.message) }
    }

    /// Replays a recording against the directory loaded now: all of it, or (stepping) one command at a time.
    func startReplay(_ name: String, stepping: Bool, settings: ReplaySettings = ReplaySettings()) async throws(ConsoleError) -> any CommandOutput {
        guard let directory = path else { throw ConsoleError("no plugin directory is loaded; use `load DIR`") }
        let file = try openSession(name)
        if replayer != nil { throw ConsoleError("already walking a replay; `abort` it first") }
        let ignore = try SessionReplayer.ignoreRules(file, settings)
        if settings.update {
            if stepping { throw ConsoleError("--update replays the whole recording; it cannot be combined with --step") }
            try Self.checkUpdateAllowed(file.path, settings)
        }
        let walk = await SessionReplayer.start(file, directory: directory, options: options, settings: settings, ignore: ignore, stepping: stepping)
        if stepping {
            stepper = nil
            replayer = walk
            return ReplayStepOutput(replayer: walk, entries: [], shown: nil)
        }
        return await runReplay(walk)
    }

    func endReplay() { replayer = nil }

    /// Replays `file` against `directory` from the command line (`--replay`): 0 when every command
    /// was the same (or every divergence was accepted with `--update`), 1 when something diverged,
    /// 2 when the file cannot be used, an option is wrong or the update could not be written.
    public static func replay(
        file path: String, directory: String, options: Options, settings: ReplaySettings = ReplaySettings()
    ) async -> (exitCode: Int32, output: any CommandOutput) {
        func unusable(_ message: String) -> (Int32, any CommandOutput) {
            (2, MessageOutput(message: "error: \(message)", fields: ["error": ["message": .string(message)]]))
        }
        let file: SessionFile
        do { file = try SessionFile.read(path) } catch { return unusable(error.message) }
        let ignore: IgnoreRules
        do {
            ignore = try SessionReplayer.ignoreRules(file, settings)
            if settings.update { try checkUpdateAllowed(file.path, settings) }
        } catch { return unusable(error.message) }
        let walk = await SessionReplayer.start(file, directory: directory, options: options, settings: settings, ignore: ignore)
        while await walk.runNext() != nil {}
        let report = await walk.report(close: true)
        if report.updateProblem != nil { return (2, report) }
        return (report.succeeded ? 0 : 1, report)
    }

    /// `--update` rewrites a file that is usually checked in: in CI, or with nobody at a terminal,
    /// only when `--yes` says so.
    static func checkUpdateAllowed(_ path: String, _ settings: ReplaySettings) throws(ConsoleError) {
        guard !settings.confirmed, let why = ReplaySettings.updateRefusal() else { return }
        throw ConsoleError("refusing to update \(path): \(why); run it where you can see the differences, or add --yes to update anyway")
    }

    /// Where a replay from the command line runs when no directory is given: the recording's plugin
    /// directory — its absolute path, else its path taken from where the session file is (from its
    /// folder or the nearest folder above it that holds it: `sessions/` next to the plugins, or beside
    /// them) — never one that happens to have the same name in the current directory. Nil when the file cannot be read (the replay says why);
    /// an error when the recorded directory is nowhere to be found.
    public static func recordedDirectory(of path: String) -> Result<String, SessionFileError>? {
        guard let header = try? SessionFile.readHeader(path) else { return nil }
        let recorded = FilePath(header.pluginDir)
        var candidates: [FilePath] = []
        if !header.pluginDirAbsolute.isEmpty { candidates.append(FilePath(header.pluginDirAbsolute)) }
        if recorded.isAbsolute {
            candidates.append(recorded)
        } else {
            // The session file's folder and each folder above it (`sessions/divergent/x.jsonl` is two
            // levels below the project), nearest first.
            var folder = FilePath(expandingTilde: path).absolute.lexicallyNormalized().removingLastComponent()
            while true {
                candidates.append(folder.pushing(recorded))
                guard !folder.components.isEmpty else { break }
                folder = folder.removingLastComponent()
            }
        }
        for candidate in candidates.map({ $0.lexicallyNormalized() }) where isDirectory(candidate.string) {
            return .success(candidate.string)
        }
        return .failure(SessionFileError(message: """
            \(path): the recorded plugin directory '\(header.pluginDir)' was not found (looked in \(candidates.map { $0.lexicallyNormalized().string }.joined(separator: ", "))); \
            name the directory to replay against: --replay FILE DIR
            """))
    }

    public static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
