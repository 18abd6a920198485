import PluginSystem

/// What a command's arguments complete to at the prompt.
enum ArgumentKind: Sendable, Equatable {
    case command, kind, kindHook, plugin, path, words([String])
    /// A chain's input: the hookspec's `example[N]` for the KIND.HOOK before it (and `@FILE`).
    case chainInput
    /// A stage of the walk: its plugin or its number.
    case stage
    /// A breakpoint's number, or `all`.
    case breakpoint
    /// `break`'s words: a plugin, `change PATH`, `error`, then `if`.
    case breakTarget
    /// A JSON Pointer into the last trace's values.
    case pointer
    /// `PATH=` for the last trace's input, repeated.
    case assignment
}

/// One console command: its name, how it is typed, its help, and what it does.
struct CommandSpec: Sendable {
    let name: String
    var aliases: [String] = []
    let usage: String
    let summary: String
    let help: String
    var arguments: [ArgumentKind] = []
    /// How many words the command takes, when it counts them (nil: it reads the rest of the line
    /// itself, as JSON or a subcommand does). More is an error, never silently ignored.
    var maxWords: Int? = nil
    let run: @Sendable (CommandArguments, ConsoleState) async throws(ConsoleError) -> any CommandOutput
}

/// Every command, in the order `help` lists them.
enum CommandTable {
    static let all: [CommandSpec] = [
        KindsCommand.spec, PluginsCommand.spec, ShowCommand.spec, OrderCommand.spec, TraceCommand.spec,
        StepCommand.spec, WalkCommands.back, WalkCommands.goto, WalkCommands.retry, WalkCommands.history, AgainCommand.spec,
        BreakCommands.breakSpec, BreakCommands.breaksSpec, BreakCommands.deleteSpec, BlameCommand.spec, WhyCommand.spec,
        TimingCommand.spec, CallCommand.spec, DebugCommand.spec, PostMortemCommand.spec, SwitchCommands.disable,
        SwitchCommands.enable, PriorityCommand.spec,
        ResourcesCommand.spec, ResourceCommand.spec, ConfigCommand.spec, LoadCommand.spec, ReloadCommand.spec, WatchCommand.spec, RecordCommand.spec,
        ReplayCommand.spec, SessionsCommand.spec, ContractCommand.spec, HelpCommand.spec, QuitCommand.spec,
    ]

    static func find(_ name: String) -> CommandSpec? {
        all.first { $0.name == name || $0.aliases.contains(name) }
    }

    static var names: [String] { all.flatMap { [$0.name] + $0.aliases } }

    /// The closest command name, for "did you mean".
    static func suggestion(for name: String) -> String? {
        // A word far longer than any command cannot be within reach of one (and comparing it would
        // cost time proportional to its length for every command).
        guard name.count <= 2 * (names.map(\.count).max() ?? 0) + 4 else { return nil }
        let scored = names.map { ($0, Levenshtein.distance(name, $0)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, name.count / 2) else { return nil }
        return best
    }
}
