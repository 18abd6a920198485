import PluginSystem

/// `help [COMMAND]`.
enum HelpCommand {
    static let spec = CommandSpec(
        name: "help", aliases: ["?"], usage: "help [COMMAND]", summary: "list commands, or explain one",
        help: "Lists every command, or shows how to use COMMAND.",
        arguments: [.command],
        run: { args, _ throws(ConsoleError) in
            let name = try args.split().first
            if name.isEmpty { return Output(commands: CommandTable.all, detailed: false) }
            if StepCommand.verbs.contains(name) { return Output(commands: [StepCommand.spec], detailed: true) }
            guard let command = CommandTable.find(name) else {
                throw ConsoleError("no command '\(name)'" + (CommandTable.suggestion(for: name).map { "; did you mean '\($0)'?" } ?? ""))
            }
            return Output(commands: [command], detailed: true)
        })

    struct Output: CommandOutput {
        var commands: [CommandSpec]
        var detailed: Bool

        var json: JSONObject {
            ["commands": .array(commands.map { c in
                var o: JSONObject = ["name": .string(c.name), "usage": .string(c.usage), "summary": .string(c.summary)]
                if detailed { o["help"] = .string(c.help) }
                return .object(o)
            })]
        }

        func text(_ style: TextStyle) -> String {
            if detailed, let c = commands.first {
                return style.bold(c.usage) + "\n" + c.help.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
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
        run: { _, _ throws(ConsoleError) in MessageOutput(message: "bye") })
}
