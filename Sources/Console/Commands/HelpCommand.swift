import PluginSystem

/// `help [COMMAND]`.
enum HelpCommand {
    static let spec = CommandSpec(
        name: "help", aliases: ["?"], usage: "help [COMMAND]", summary: "list commands, or explain one",
        help: "Lists every command, or shows how to use COMMAND.",
        arguments: [.command],
        maxWords: 1,
        run: { args, console throws(ConsoleError) in
            let name = try args.split().first
            if name.isEmpty { return Output(commands: CommandTable.all, detailed: false) }
            let command: CommandSpec
            if StepCommand.verbs.contains(name) || ConsoleState.verbAliases[name] != nil {
                command = StepCommand.spec
            } else if let found = CommandTable.find(name) {
                command = found
            } else {
                throw ConsoleError("no command '\(name)'" + (CommandTable.suggestion(for: name).map { "; did you mean '\($0)'?" } ?? ""))
            }
            return Output(commands: [command], detailed: true, example: example(for: command.name, registry: await console.registry))
        })

    /// An example built from what is loaded (a chain of the loaded directory, with an input from its
    /// hookspec's examples), never one naming a kind the user does not have.
    static func example(for command: String, registry: PluginRegistry?) -> String? {
        guard ["trace", "step", "call"].contains(command) else { return nil }
        guard let registry else { return "(load a plugin directory to see an example)" }
        let catalog = KindCatalog(registry)
        let hooks = catalog.kinds.flatMap { kind in catalog.hooks(of: kind).filter { !$0.wrapper }.map { (kind, $0) } }
        let fitting = command == "call" ? hooks : hooks.filter { $0.1.dispatch == .chain }
        guard let (kind, hook) = fitting.first else { return "(no chain hook is loaded to show an example with)" }
        let input = hook.spec?.examples.first.map { $0.encoded() } ?? (command == "call" ? "" : "{}")
        return "\(command) \(kind).\(hook.name)\(input.isEmpty ? "" : " " + input)"
    }

    struct Output: CommandOutput {
        var commands: [CommandSpec]
        var detailed: Bool
        var example: String? = nil

        var json: JSONObject {
            var o: JSONObject = ["commands": .array(commands.map { c in
                var o: JSONObject = ["name": .string(c.name), "usage": .string(c.usage), "summary": .string(c.summary)]
                if detailed { o["help"] = .string(c.help) }
                return .object(o)
            })]
            if let example { o["example"] = .string(example) }
            return o
        }

        func text(_ style: TextStyle) -> String {
            if detailed, let c = commands.first {
                return style.bold(c.usage) + "\n" + c.help.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
                    + (example.map { "\n  Example: " + $0 } ?? "")
            }
            return commands.map { "  " + pad(style.bold($0.usage), 28) + " " + $0.summary }.joined(separator: "\n")
                + "\n" + style.dim("  help COMMAND for more; Tab completes; Ctrl-C interrupts a command; Ctrl-D or quit leaves.")
        }
    }
}

/// `quit`: tear every plugin down and leave.
enum QuitCommand {
    static let spec = CommandSpec(
        name: "quit", aliases: ["exit"], usage: "quit", summary: "tear every plugin down and leave (also Ctrl-D)",
        help: "Tears every plugin down (stopping their processes) and leaves the console with status 0.",
        maxWords: 0,
        run: { _, _ throws(ConsoleError) in MessageOutput(message: "bye") })
}
