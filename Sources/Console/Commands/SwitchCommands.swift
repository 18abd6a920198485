import PluginSystem

/// `disable PLUGIN` / `enable PLUGIN`: switch a plugin off or on for the next dispatch.
enum SwitchCommands {
    static let disable = make(enabled: false)
    static let enable = make(enabled: true)

    static func make(enabled: Bool) -> CommandSpec {
        let name = enabled ? "enable" : "disable"
        return CommandSpec(
            name: name, usage: "\(name) PLUGIN",
            summary: enabled ? "switch a disabled plugin back on" : "switch a plugin off (its manifest is not touched)",
            help: enabled
                ? "Switches PLUGIN back on: the next dispatch includes it again."
                : "Switches PLUGIN off: it stays set up, but no dispatch calls it until `enable`. Survives `reload`.",
            arguments: [.plugin],
            maxWords: 1,
            run: { args, console throws(ConsoleError) in
                let registry = try await console.requireRegistry()
                let record = try args.plugin(try args.split().first, registry: registry, usage: "\(name) PLUGIN")
                try await console.refuseWhileStepping(record.name, "\(name) '\(record.name)'")
                try await console.setEnabled(record.name, enabled)
                let state = registry.record(named: record.name)!.state
                var note = ""
                if enabled, state != .active { note = " (its state is \(state.name): it will not run until it is set up again — try `reload`)" }
                return MessageOutput(message: "\(name)d '\(record.name)'\(note)", fields: ["plugin": .string(record.name), "state": .string(state.name)])
            })
    }
}

/// `priority PLUGIN N|reset`: override a plugin's priority for dispatch order.
enum PriorityCommand {
    static let usage = "priority PLUGIN N|reset"

    static let spec = CommandSpec(
        name: "priority", usage: usage, summary: "override a plugin's priority (what-if), or reset it",
        help: """
            Gives PLUGIN priority N for dispatch ordering without touching its manifest, so you can see what
            a different order does (`order`, `trace`). `priority PLUGIN reset` goes back to the manifest's.
            Survives `reload`. Priorities >= 1000 are the middleware band.
            """,
        arguments: [.plugin, .words(["reset"])],
        maxWords: 2,
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            let (name, rest) = try args.split()
            let record = try args.plugin(name, registry: registry, usage: usage)
            try await console.refuseWhileStepping(record.name, "change the priority of '\(record.name)'")
            let word = try rest.split().first
            let priority: Int?
            if word == "reset" { priority = nil } else {
                guard let n = Int(word), n >= 0 else { throw args.usageError(usage, word.isEmpty ? "missing N" : "'\(word)' is not a priority (a whole number >= 0)") }
                priority = n
            }
            try await console.setPriority(record.name, priority)
            let now = registry.record(named: record.name)!.priority
            let message = priority == nil ? "'\(record.name)' priority reset to \(now)" : "'\(record.name)' priority \(record.manifest.priority) → \(now)"
            return MessageOutput(message: message, fields: ["plugin": .string(record.name), "priority": .int(now), "manifest_priority": .int(record.manifest.priority)])
        })
}
