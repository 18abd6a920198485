import PluginSystem

/// What a command's arguments complete to at the prompt.
enum ArgumentKind: Sendable {
    case command, kind, kindHook, plugin, path, words([String])
}

/// One console command: its name, how it is typed, its help, and what it does.
struct CommandSpec: Sendable {
    let name: String
    var aliases: [String] = []
    let usage: String
    let summary: String
    let help: String
    var arguments: [ArgumentKind] = []
    let run: @Sendable (CommandArguments, ConsoleState) async throws(ConsoleError) -> any CommandOutput
}

/// Every command, in the order `help` lists them.
enum CommandTable {
    static let all: [CommandSpec] = [
        KindsCommand.spec, PluginsCommand.spec, ShowCommand.spec, OrderCommand.spec, TraceCommand.spec,
        StepCommand.spec, CallCommand.spec, SwitchCommands.disable, SwitchCommands.enable, PriorityCommand.spec,
        ResourcesCommand.spec, ResourceCommand.spec, LoadCommand.spec, ReloadCommand.spec, RecordCommand.spec,
        ReplayCommand.spec, SessionsCommand.spec, ContractCommand.spec, HelpCommand.spec, QuitCommand.spec,
    ]

    static func find(_ name: String) -> CommandSpec? {
        all.first { $0.name == name || $0.aliases.contains(name) }
    }

    static var names: [String] { all.flatMap { [$0.name] + $0.aliases } }

    /// The closest command name, for "did you mean".
    static func suggestion(for name: String) -> String? {
        let scored = names.map { ($0, Levenshtein.distance(name, $0)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, name.count / 2) else { return nil }
        return best
    }
}

enum Levenshtein {
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        guard !x.isEmpty else { return y.count }
        guard !y.isEmpty else { return x.count }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count]
    }

    /// Known names close to `name`, nearest first.
    static func nearest(_ name: String, in known: [String], limit: Int = 3) -> [String] {
        known.map { ($0, distance(name, $0)) }.filter { $0.1 <= max(2, name.count / 2) }.sorted { $0.1 < $1.1 }
            .prefix(limit).map(\.0)
    }
}
