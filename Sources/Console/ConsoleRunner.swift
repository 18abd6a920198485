import Foundation
import PluginHosts
import PluginSystem

/// Runs the console: loads the directory, then reads commands from `-c`, a terminal (libedit) or a
/// pipe, prints each result as text or JSON, and tears every plugin down on the way out, however the
/// console leaves (quit, Ctrl-D, end of script, SIGTERM, SIGHUP).
public final class ConsoleRunner {
    public struct Configuration: Sendable {
        public var directory: String
        /// `-c` commands; when empty, commands come from standard input.
        public var commands: [String] = []
        public var json = false
        public var color = false
        /// Use libedit: standard input is a terminal and no `-c` was given.
        public var interactive = false
        public var historyFile: String?
        /// `--record FILE`: record the whole run.
        public var record: String?
        /// `--ignore`, `--http` for the recording, as `record` takes them.
        public var recordOptions: [String] = []
        /// `--watch`: watch the directory after loading it (and after the -c commands).
        public var watch = false
        /// `--allow-load-errors`: in a batch run, a plugin that did not load leaves the exit status
        /// to the commands.
        public var allowLoadErrors = false

        public init(directory: String) { self.directory = directory }
    }

    let configuration: Configuration
    let console: ConsoleState
    let style: TextStyle
    private var editor: LineEditor?

    public init(configuration: Configuration, console: ConsoleState) {
        self.configuration = configuration
        self.console = console
        style = TextStyle(color: configuration.color && !configuration.json)
    }

    /// Runs to the end and returns the exit status: 0, or 1 in batch mode when a command failed or a
    /// plugin did not load, or 128 + the signal that ended the console.
    public func run() -> Int32 {
        let console = self.console
        let terminal = TerminalState()
        let watcher = SignalWatcher(onForcedExit: {
            terminal.restore()
            FileHandle.standardError.write(Data("dagstack-console: did not stop in time after a signal; leaving now\n".utf8))
            exit(1)
        })
        let editor: LineEditor
        if configuration.interactive && configuration.commands.isEmpty {
            let words = CompletionCache()
            editor = LibEditLineEditor(historyFile: configuration.historyFile) { words.edit(for: $0) }
            refreshCompletion = { [console] in words.update(from: console) }
        } else {
            editor = PlainLineReader(shouldStop: { watcher.termination != nil })
        }
        self.editor = editor
        // The live progress line: only where a person watches standard error, never in JSON.
        if !configuration.json && isatty(STDERR_FILENO) == 1 {
            let line = ProgressLine()
            waitFor { await console.showProgress(on: line) }
            // pdb in plugin code draws on the same terminal: the line steps aside meanwhile.
            console.options.debugger.terminal?.onLending { line.suspend($0) }
        }
        // Whatever a plugin's process tree leaves behind that its keeper could not hold comes to the
        // console, which stops it on the way out.
        Containment.adoptOrphans()
        defer { Containment.stopAdopted() }

        let directory = configuration.directory
        note("loading \(directory) — loading a plugin directory runs its plugins' code")
        let summary = watcher.runCancellable { await console.start(directory) }
        // Batch runs keep stdout for command results; the summary goes with the other notes.
        if configuration.interactive {
            write(summary.text(style))
        } else {
            Self.writeError(summary.text(TextStyle(color: false)))
        }
        refreshCompletion()
        // A script's or CI's result is not to be trusted when the directory did not load whole:
        // the traces ran without those plugins. Said once at the end, and in the exit status. What
        // a load missed counts once a command ran while it was in force, or when the run ends with
        // it; a load that a `reload` replaced before any command ran counts for nothing.
        var notLoaded: [String] = []
        var inForce = (summary as? LoadSummary)?.notLoaded ?? []
        func countInForce() { notLoaded += inForce.filter { !notLoaded.contains($0) } }
        if let record = configuration.record {
            let line = "record " + ([record] + configuration.recordOptions).map(CommandWords.quoted).joined(separator: " ")
            let started = watcher.runCancellable { await console.execute(line) }
            guard let started, started.succeeded else {
                note("cannot record: \(started?.error?.message ?? record)")
                _ = waitFor { await console.close() }
                return 2
            }
            note(started.text(TextStyle(color: false)))
        }

        var failures = 0
        if configuration.watch && configuration.commands.isEmpty, !watch("watch", watcher) { failures += 1 }
        var inputs = configuration.commands.makeIterator()
        loop: while watcher.termination == nil {
            let line: String
            if configuration.commands.isEmpty {
                let prompt = watcher.runCancellable { await console.prompt }
                switch editor.readLine(prompt: configuration.interactive ? TerminalText.safe(prompt, keepingStyles: false) : "") {
                case .line(let text):
                    // Open brackets in a JSON argument: the value goes on on the next lines.
                    guard let whole = readContinuation(text, editor: editor) else {
                        if configuration.interactive { FileHandle.standardOutput.write(Data("^C\n".utf8)) }
                        continue loop
                    }
                    line = whole
                case .notUTF8(let offset, let byte):
                    failures += 1
                    let error = "the line is not valid UTF-8 (byte 0x\(String(byte, radix: 16))\(offset.map { " at byte \($0 + 1)" } ?? "")); it was not run"
                    write(configuration.json ? JSONValue.object(["command": .null, "error": ["message": .string(error)]]).encoded() : "error: " + error)
                    continue loop
                case .endOfInput: break loop
                case .interrupted:
                    if watcher.termination != nil { break loop }
                    // Batch output stays the commands' results only (it may be JSON).
                    if configuration.interactive { FileHandle.standardOutput.write(Data("^C\n".utf8)) }
                    continue loop
                }
                editor.remember(line)
            } else {
                guard let next = inputs.next() else {
                    if configuration.watch, !watch("watch", watcher) { failures += 1 }
                    break loop
                }
                line = next
            }
            // What the user types while the command runs waits, unechoed, for the next prompt.
            let held = editor is LibEditLineEditor ? HeldEcho() : nil
            defer { held?.release() }
            if Self.isWatch(line) {
                if !watch(line, watcher) { failures += 1 }
                continue
            }
            guard let executed = watcher.runCancellable({ await console.execute(line) }) else { continue }
            if !executed.succeeded { failures += 1 }
            if let load = executed.output as? LoadSummary { inForce = load.notLoaded } else { countInForce() }
            // The interpreters' own messages (a debugger attached) came before or during the command.
            for message in waitFor({ await console.runtimeMessages() }) { note(message) }
            if configuration.json {
                write(executed.json.encoded())
            } else if !executed.quits {
                let text = executed.text(style)
                if !text.isEmpty { write(text) }
            }
            refreshCompletion()
            if executed.quits { break }
        }

        let batch = !(configuration.commands.isEmpty && configuration.interactive)
        countInForce()
        if batch && !notLoaded.isEmpty && !configuration.allowLoadErrors && watcher.termination == nil {
            note("exit status 1: \(notLoaded.joined(separator: ", ")) did not load (--allow-load-errors leaves the status to the commands)")
            failures += 1
        }
        // Not through the watcher: teardown must run to the end whatever signal comes.
        let teardown = waitFor { await console.close() }
        if let teardown { note(ErrorJSON.text(teardown, TextStyle(color: false))) }
        editor.restoreTerminal()
        terminal.restore()
        if let signal = watcher.termination { return 128 + signal }
        return batch && failures > 0 ? 1 : 0
    }

    var refreshCompletion: () -> Void = {}

    /// `first` and the lines that continue it while its JSON's brackets are open, joined with a
    /// space; nil when Ctrl-C abandoned it. End of input (or a line that is not UTF-8) ends it as it is.
    private func readContinuation(_ first: String, editor: LineEditor) -> String? {
        var text = first
        while ContinuedLines.needsMore(text) {
            switch editor.readLine(prompt: configuration.interactive ? ContinuedLines.prompt : "") {
            case .line(let more): text += " " + more
            case .interrupted: return nil
            case .endOfInput, .notUTF8: return text
            }
        }
        return text
    }

    /// `--contract DIR`: checks every plugin of DIR, prints the reports, returns whether all passed.
    public static func contract(directory: String, options: ConsoleState.Options, json: Bool, color: Bool) -> Bool {
        let (passed, output) = waitFor { await ConsoleState.contract(directory: directory, options: options) }
        var document: JSONObject = ["command": "contract"]
        for (key, value) in output.json { document[key] = value }
        let text = json ? JSONValue.object(document).encoded() : output.text(TextStyle(color: color && !json))
        writeOutput(text, keepingStyles: color && !json)
        return passed
    }

    /// `--replay FILE`: replays against `directory`, prints the report, returns 0 (all same), 1 (diverged)
    /// or 2 (the file cannot be used).
    public static func replay(
        file: String, directory: String, options: ConsoleState.Options, settings: ReplaySettings, json: Bool, color: Bool
    ) -> Int32 {
        let (status, output) = waitFor { await ConsoleState.replay(file: file, directory: directory, options: options, settings: settings) }
        var document: JSONObject = ["command": "replay"]
        for (key, value) in output.json { document[key] = value }
        let text = json ? JSONValue.object(document).encoded() : output.text(TextStyle(color: color && !json))
        if status == 2 && !json && !(output is ReplayReport) {
            writeError(text)
        } else {
            writeOutput(text, keepingStyles: color && !json)
        }
        return status
    }

    func write(_ text: String) { Self.writeOutput(text, keepingStyles: style.color) }

    func note(_ text: String) {
        let styled = !configuration.json && configuration.interactive
        Self.writeError(styled ? style.dim(text) : text, keepingStyles: styled && style.color)
    }

    /// Every line the console prints goes through these two: control characters escaped (`TerminalText`).
    static func writeOutput(_ text: String, keepingStyles: Bool) {
        FileHandle.standardOutput.write(Data((TerminalText.safe(text, keepingStyles: keepingStyles) + "\n").utf8))
    }

    static func writeError(_ text: String, keepingStyles: Bool = false) {
        FileHandle.standardError.write(Data((TerminalText.safe(text, keepingStyles: keepingStyles) + "\n").utf8))
    }
}

/// The words Tab completes from, refreshed after each command (the callback cannot wait on the session).
final class CompletionCache: Sendable {
    private let words = Mutex(CompletionWords(kinds: [], kindHooks: [], plugins: [], stepping: false))

    func update(from console: ConsoleState) {
        let current = waitFor { await console.completionWords }
        words.withLock { $0 = current }
    }

    func edit(for line: String) -> CompletionEdit { Completion.edit(for: line, words: words.withLock { $0 }) }
}

import Synchronization
