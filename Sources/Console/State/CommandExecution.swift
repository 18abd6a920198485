import Foundation
import Inspector
import PluginSystem
import SystemPackage

/// One command as it ran: its line, its result or its error, in both renderings.
public struct ExecutedCommand: Sendable {
    public let line: String
    public let name: String
    public let output: (any CommandOutput)?
    public let error: ConsoleError?
    /// `quit` was typed.
    public let quits: Bool
    /// Plugins that ran (or, for `record`, will) with code older than their files on disk.
    var editedSinceLoad: [String] = []

    public var succeeded: Bool { error == nil && (output?.succeeded ?? true) }

    /// `{"command": NAME, ...}` — the result's fields, or `"error"`.
    public var json: JSONValue {
        var o: JSONObject = ["command": .string(name)]
        if let output { for (k, v) in output.json { o[k] = v } }
        if let error { o["error"] = error.json }
        if !editedSinceLoad.isEmpty { o["edited_since_load"] = .array(editedSinceLoad.map(JSONValue.string)) }
        return .object(o)
    }

    public func text(_ style: TextStyle) -> String {
        let text: String
        if let error {
            text = error.underlying.map { ErrorJSON.text($0, style) } ?? style.red("error: ") + error.message
        } else {
            text = output?.text(style) ?? ""
        }
        guard !editedSinceLoad.isEmpty else { return text }
        return text + (text.isEmpty ? "" : "\n") + style.yellow("warning: ") + LoadedCode.warning(editedSinceLoad)
    }
}

extension ConsoleState {
    /// Runs one typed line. Blank lines and `#` comments give nil.
    public func execute(_ line: String) async -> ExecutedCommand? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
        let leading = line.count - line.drop { $0 == " " || $0 == "\t" }.count
        let all = CommandArguments(line: line, text: String(line.dropFirst(leading)), offset: leading)
        let name: String, args: CommandArguments
        do { (name, args) = try all.split() } catch {
            return ExecutedCommand(line: line, name: String(trimmed.prefix { $0 != " " && $0 != "\t" }), output: nil, error: error, quits: false)
        }
        commandsStarted += 1
        let stateBefore = switchesJSON
        // What drives a replay (its verbs, and every command while it holds a walk) is not recorded.
        let drivesReplay = isReplayVerb(name, args) || replayer?.held != nil
        // While recording, the plugins' HTTP exchanges during the command are kept with it.
        let capturing = recorder != nil && httpCassette.isIdle
        if capturing { httpCassette.capture() }
        var executed = await run(name: name, args: args, line: line)
        if replayer?.held != nil { executed = await handBackIfDone(executed) }
        if options.noticesEdits, Self.runsPlugins(executed) { executed.editedSinceLoad = loadedCode.edited() }
        let http = capturing ? httpCassette.finish().made : []
        let failures = (executed.output?.pluginFailures ?? []) + [executed.error?.underlying].compactMap { $0 }
        if let failure = failures.last(where: { $0.plugin != nil }) { lastFailure = failure }
        if let recorder, !SessionReplayer.notReplayed.contains(executed.name), !drivesReplay {
            do { try recorder.append(line: ConfigCommand.recordedLine(line), state: stateBefore, result: executed.json, http: http) } catch {
                self.recorder = nil
                return ExecutedCommand(
                    line: line, name: executed.name, output: executed.output,
                    error: ConsoleError("recording stopped: \(error.message)"), quits: executed.quits)
            }
        }
        keepSpareInterpreterReady()
        return executed
    }

    /// Commands whose results come from the loaded code: a trace, a call, a walk's steps, and a
    /// recording started (its results will).
    static func runsPlugins(_ executed: ExecutedCommand) -> Bool {
        if executed.name == "record" { return executed.output?.json["recording"] == true }
        return ["trace", "call", "step", "again", "timing", "debug", "next", "continue", "retry", "skip", "goto"].contains(executed.name)
    }

    /// A verb of `replay --step` (while no replayed command holds a walk: then they drive the walk).
    func isReplayVerb(_ name: String, _ args: CommandArguments) -> Bool {
        guard let replayer, replayer.held == nil else { return false }
        return ["next", "n", "continue", "c", "diff", "abort", "a"].contains(name) || (name == "show" && args.isEmpty)
    }

    /// The short forms of the walk verbs (`step` and `replay --step`).
    static let verbAliases = ["n": "next", "c": "continue", "s": "skip", "a": "abort"]

    /// Refuses words past what a command takes: `enable x extra` must not quietly enable x.
    static func refuseExtraWords(_ args: CommandArguments, limit: Int, command: String, usage: String) throws(ConsoleError) {
        let words = try args.words()
        guard words.count > limit else { return }
        let extra = words[limit...].map { "'\($0)'" }.joined(separator: " ")
        let takes = limit == 0 ? "takes no arguments" : "takes \(limit) argument\(limit == 1 ? "" : "s") at most"
        throw args.usageError(usage, "unexpected \(extra): `\(command)` \(takes)")
    }

    private func run(name typed: String, args: CommandArguments, line: String) async -> ExecutedCommand {
        // Results name the command, not the short form typed (`"command": "next"` for `n`).
        let name = Self.verbAliases[typed] ?? typed
        do {
            let output: any CommandOutput
            try refuseWhileHeld(name)
            if isReplayVerb(typed, args) {
                try Self.refuseExtraWords(args, limit: 0, command: name, usage: name)
                output = try await ReplayCommand.verb(name, console: self)
            } else if StepCommand.verbs.contains(name) {
                if name != "set" { try Self.refuseExtraWords(args, limit: 0, command: name, usage: name) }
                output = try await StepCommand.verb(name, args, console: self)
            } else if let command = CommandTable.find(name) {
                if let limit = command.maxWords { try Self.refuseExtraWords(args, limit: limit, command: command.name, usage: command.usage) }
                output = try await command.run(args, self)
            } else {
                let hint = CommandTable.suggestion(for: name).map { "; did you mean '\($0)'?" } ?? ""
                let shown = name.count > 64 ? "\(name.prefix(40))… (\(name.count) characters)" : name
                throw ConsoleError("unknown command '\(shown)'\(hint) (type `help` for the list)")
            }
            return ExecutedCommand(line: line, name: CommandTable.find(name)?.name ?? name, output: output, error: nil, quits: name == "quit" || name == "exit")
        } catch let error as ConsoleError {
            return ExecutedCommand(line: line, name: name, output: nil, error: error, quits: false)
        } catch {
            return ExecutedCommand(line: line, name: name, output: nil, error: ConsoleError("\(error)"), quits: false)
        }
    }

    /// The prompt for the next line.
    public var prompt: String {
        if let held = heldReplayPrompt { return held + "> " }
        if let replayer {
            let (next, total) = replayer.position
            return "replay \(FilePath(replayer.file.path).lastComponent?.string ?? replayer.file.path) \(min(next, total))/\(total)> "
        }
        if let step = stepPrompt { return step + "> " }
        return "dagstack> "
    }

    /// What Tab can complete right now.
    public var completionWords: CompletionWords {
        guard let registry else { return CompletionWords(kinds: [], kindHooks: [], plugins: [], stepping: isStepping) }
        let catalog = KindCatalog(registry)
        var words = CompletionWords(kinds: catalog.kinds, kindHooks: catalog.kindHooks, plugins: registry.records.map(\.name), stepping: isStepping)
        for kind in catalog.kinds {
            for hook in catalog.hooks(of: kind) where !(hook.spec?.examples.isEmpty ?? true) {
                words.examples["\(kind).\(hook.name)"] = hook.spec?.examples.count
            }
        }
        words.breakpoints = debugger.breakpoints.map(\.id)
        let walk = stepper.flatMap { $0.isFinished ? nil : $0 } ?? debugger.lastWalk
        if let walk {
            words.stages = walk.tracer.stages.map(\.record.name)
            words.valuePointers = JSONPointer.all(in: walk.currentValue).map(\.description)
        }
        if let trace = walk?.result ?? lastTrace {
            words.inputPointers = JSONPointer.all(in: trace.input).map(\.description)
            words.tracePointers = Array(Set(words.inputPointers + JSONPointer.all(in: trace.output ?? .null).map(\.description)))
        }
        return words
    }

    /// Loads the directory the console was started with.
    public func start(_ path: String) async -> any CommandOutput {
        let summary = LoadSummary(directory: await load(path))
        keepSpareInterpreterReady()
        return summary
    }
}

