import ArgumentParser
import Console
import Foundation
import Logging
import OrderedCollections
import PluginHosts
import PluginSystem
import SystemPackage

@main
struct DagstackConsole: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dagstack-console",
        abstract: "An interactive console for dagstack plugins: kinds, order, stage-by-stage traces with diffs.",
        discussion: """
            Loads PLUGIN_DIR (default: plugins/ of the current directory) and opens a prompt; type `help` \
            there for the commands. With -c, or with commands piped on standard input, it runs them and \
            exits (status 1 if any failed). Loading a plugin directory runs its plugins' code.

            Documentation: docs/console.md, docs/sessions.md, docs/contract.md.
            """)

    @Argument(help: "The plugin directory to load (default: plugins, or with --replay the recording's).", completion: .directory)
    var pluginDirectory: String?

    @Option(name: [.short, .customLong("command")], help: ArgumentHelp("Run COMMAND and exit (repeatable; run in order).", valueName: "COMMAND"))
    var commands: [String] = []

    @Flag(help: "Print each command's result as one JSON document per line.")
    var json = false

    @Flag(name: .customLong("no-color"), help: "No colours (also when NO_COLOR is set or output is not a terminal).")
    var noColor = false

    @Option(name: .customLong("resource"), help: ArgumentHelp(
        "Set a custom resource: NAME=JSON or NAME=@file.json (repeatable).", valueName: "NAME=JSON"))
    var resources: [String] = []

    @Option(help: ArgumentHelp(
        "An application config read after the plugin directory's app-config.yaml (with its .local and .$DAGSTACK_ENV layers).",
        valueName: "FILE"), completion: .file(extensions: ["yaml", "yml", "json"]))
    var config: String?

    @Option(name: .customLong("blob-store"), help: ArgumentHelp(
        "The folder of the blob_store resource (default: a fresh temporary folder per load).", valueName: "DIR"), completion: .directory)
    var blobStore: String?

    @Option(name: .customLong("call-timeout"), help: ArgumentHelp("Time limit of one hook call in a Python or stdio plugin.", valueName: "SECONDS"))
    var callTimeout: Double = 30

    @Option(help: ArgumentHelp("The Python interpreter for Python plugins (default: $DAGSTACK_PYTHON, else python3).", valueName: "PATH"))
    var python: String?

    @Option(help: ArgumentHelp("Record the whole run to FILE (a bare name goes in sessions/).", valueName: "FILE"))
    var record: String?

    @Option(help: ArgumentHelp(
        "Replay the session FILE against the plugin directory and exit: 0 all same, 1 diverged, 2 the file cannot be used.",
        valueName: "FILE"), completion: .file(extensions: ["jsonl"]))
    var replay: String?

    @Option(help: ArgumentHelp(
        "With --replay: leave out what POINTER names in every result (a JSON Pointer, * for any member or index); with --record: keep the rule in the recording (repeatable).",
        valueName: "POINTER"))
    var ignore: [String] = []

    @Option(help: ArgumentHelp(
        "With --record: what replays do with the plugins' HTTP requests (replay: from the recording, never the network; new: missing ones go to the network; live: all do). With --replay: override the recording's.",
        valueName: "MODE"))
    var http: String?

    @Flag(help: "Watch the plugin directory after loading it (after the -c commands): each change reloads it and re-runs the last trace, until Ctrl-C.")
    var watch = false

    @Flag(help: "With --replay: rewrite the entries that diverged with what happens now (the old file is kept as FILE.bak); refused in CI unless --yes.")
    var update = false

    @Flag(help: "With --update: update even in CI (CI set, or standard input not a terminal).")
    var yes = false

    @Option(help: ArgumentHelp(
        "Run the contract checks on every plugin of DIR and exit: 0 all passed, 1 any failed.", valueName: "DIR"),
        completion: .directory)
    var contract: String?

    @Flag(help: "With -c or a script: a plugin that fails to load does not make the exit status 1 (the commands alone decide it).")
    var allowLoadErrors = false

    @Flag(help: "Print the runtime's own log lines (set-up, teardown, dispatch) on standard error.")
    var verbose = false

    @Option(help: ArgumentHelp("The history file (default: $DAGSTACK_CONSOLE_HISTORY, else ~/.dagstack_console_history).", valueName: "FILE"))
    var history: String?

    func validate() throws {
        if let problem = TimeLimit.problem(callTimeout) { throw ValidationError("--call-timeout \(problem)") }
        _ = try parsedResources()
        if let http, HTTPMode(rawValue: http) == nil {
            throw ValidationError("--http '\(http)': the modes are \(HTTPMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if (!ignore.isEmpty || http != nil) && record == nil && replay == nil { throw ValidationError("--ignore and --http go with --record or --replay") }
        if update && replay == nil { throw ValidationError("--update goes with --replay") }
        if watch && replay != nil { throw ValidationError("--watch does not go with --replay; at the prompt, `watch replay FILE` replays on each change") }
        if yes && !update { throw ValidationError("--yes goes with --update") }
    }

    func parsedResources() throws -> OrderedDictionary<String, JSONValue> {
        var parsed = OrderedDictionary<String, JSONValue>()
        for spec in resources {
            guard let equals = spec.firstIndex(of: "="), equals != spec.startIndex else {
                throw ValidationError("--resource expects NAME=JSON or NAME=@file.json, got '\(spec)'")
            }
            let name = String(spec[..<equals])
            var text = String(spec[spec.index(after: equals)...])
            if text.hasPrefix("@") {
                let path = String(text.dropFirst())
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ValidationError("--resource \(name): cannot read \(path)")
                }
                text = String(decoding: data, as: UTF8.self)
            }
            do { parsed[name] = try JSONValue.parse(text, maxDepth: JSONLimits.maxDepth) } catch {
                throw ValidationError("--resource \(name): bad JSON at line \(error.line), column \(error.column): \(error.message)")
            }
            // As `resource set`: the standard resources are the runtime's, not JSON values — only a
            // descriptor of one ({"resource": NAME, "spec": {...}}) replaces it.
            if PluginDirectory.standardResources.contains(name) {
                do {
                    guard try Resource.standard(name, descriptor: parsed[name]!) != nil else {
                        throw ValidationError(
                            "--resource \(name): '\(name)' is a standard resource; only custom resources hold JSON values (a descriptor {\"resource\": \"\(name)\", \"spec\": {...}} replaces it: docs/runtime.md)")
                    }
                } catch let error as DagstackError {
                    throw ValidationError("--resource \(name): \(error.message)")
                }
            }
        }
        return parsed
    }

    /// pdb in plugin code gets the terminal only when a person types at the console and reads its
    /// text; otherwise a breakpoint fails at once, saying why.
    func debuggerAccess(_ configuration: ConsoleRunner.Configuration) -> DebuggerAccess {
        guard commands.isEmpty, !json, isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { return .noTerminal }
        return .terminal(DebuggerTerminal(historyFile: configuration.historyFile.map { $0 + "-pdb" }))
    }

    func run() throws {
        CrashReport.install()
        // The console reports failures in its results; the runtime's log lines are for --verbose.
        let verbose = self.verbose
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .critical
            return handler
        }
        var options = ConsoleState.Options()
        options.callTimeout = callTimeout
        options.resources = try parsedResources()
        options.configFile = config
        options.blobStore = blobStore
        if let python { options.python = python }
        let environment = ProcessInfo.processInfo.environment
        let colorOutput = !noColor && environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) == 1
        if let contract {
            let passed = ConsoleRunner.contract(directory: contract, options: options, json: json, color: colorOutput)
            if !passed { throw ExitCode(1) }
            return
        }
        if let replay {
            // Exit status 0 (same), 1 (diverged) or 2 (the file or the directory cannot be used), whatever happens.
            let directory: String
            switch pluginDirectory.map({ Result<String, SessionFileError>.success($0) }) ?? ConsoleState.recordedDirectory(of: replay) {
            case .success(let found)?: directory = found
            case .failure(let error)?: FileHandle.standardError.write(Data("error: \(error.message)\n".utf8)); throw ExitCode(2)
            case nil: directory = "."  // the file cannot be read: the replay says why before loading anything
            }
            guard ConsoleState.isDirectory(FilePath(expandingTilde: directory).string) else {
                FileHandle.standardError.write(Data("error: not a directory: \(directory)\n".utf8))
                throw ExitCode(2)
            }
            var settings = ReplaySettings()
            settings.ignore = ignore
            settings.http = http.flatMap(HTTPMode.init(rawValue:))
            settings.update = update
            settings.confirmed = yes
            settings.invocation = .commandLine(directory: pluginDirectory)
            let status = ConsoleRunner.replay(file: replay, directory: FilePath(expandingTilde: directory).string, options: options,
                                              settings: settings, json: json, color: colorOutput)
            if status != 0 { throw ExitCode(status) }
            return
        }
        let directory = pluginDirectory ?? "plugins"
        guard ConsoleState.isDirectory(FilePath(expandingTilde: directory).string) else {
            throw ValidationError("not a directory: \(directory)")
        }
        var configuration = ConsoleRunner.Configuration(directory: directory)
        configuration.record = record
        configuration.recordOptions = ignore.flatMap { ["--ignore", $0] } + (http.map { ["--http", $0] } ?? [])
        configuration.commands = commands
        configuration.watch = watch
        configuration.allowLoadErrors = allowLoadErrors
        configuration.json = json
        configuration.interactive = isatty(STDIN_FILENO) == 1 && commands.isEmpty
        configuration.color = !noColor && environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) == 1
        configuration.historyFile = history ?? environment["DAGSTACK_CONSOLE_HISTORY"]
            ?? FilePath(FilePath.homeDirectory).appending(".dagstack_console_history").string
        options.debugger = debuggerAccess(configuration)
        options.interactive = configuration.interactive
        let status = ConsoleRunner(configuration: configuration, console: ConsoleState(options: options)).run()
        if status != 0 { throw ExitCode(status) }
    }
}
