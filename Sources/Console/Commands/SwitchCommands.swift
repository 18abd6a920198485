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
                ? "Switches PLUGIN back on: the next dispatch includes it again. A failed or unavailable plugin is not switched off but broken: `enable` says so, and `reload` sets it up again."
                : "Switches PLUGIN off: it stays set up, but no dispatch calls it until `enable`. Survives `reload`.",
            arguments: [.plugin],
            maxWords: 1,
            run: { args, console throws(ConsoleError) in
                let registry = try await console.requireRegistry()
                let record = try args.plugin(try args.split().first, registry: registry, usage: "\(name) PLUGIN")
                try await console.refuseWhileStepping(record.name, "\(name) '\(record.name)'")
                let wasDisabled = await console.disabled.contains(record.name)
                try await console.setEnabled(record.name, enabled)
                let state = registry.record(named: record.name)!.state
                if enabled, let refusal = notRunnable(record.name, state, wasDisabled: wasDisabled) { throw ConsoleError(refusal) }
                let message = enabled && !wasDisabled && state == .active ? "'\(record.name)' is already active" : "\(name)d '\(record.name)'"
                return MessageOutput(message: message, fields: ["plugin": .string(record.name), "state": .string(state.name)])
            })
    }

    /// Why `enable` did not make a plugin run: a failed or unavailable plugin is not switched off but
    /// broken, and only setting it up again (`reload`) can bring it back. Nil when it runs now.
    static func notRunnable(_ name: String, _ state: PluginState, wasDisabled: Bool) -> String? {
        let what: String
        switch state {
        case .failed(let error):
            what = "'\(name)' is failed, not switched off, so `enable` cannot make it run: \(firstLine(error.message))"
                + "\n  fix it, then `reload` sets it up again"
        case .unavailable(let why):
            what = "'\(name)' is unavailable, not switched off, so `enable` cannot make it run: \(firstLine(why))"
                + "\n  `reload` sets it up again once that is fixed"
        case .registered, .tornDown:
            what = "'\(name)' is \(state.name) (not set up), so `enable` cannot make it run; `reload` sets it up"
        case .active, .disabled:
            return nil
        }
        // Their own switch is taken off all the same, so the plugin runs once it is set up again.
        return what + (wasDisabled ? " (your `disable` is lifted: it will run once it is set up)" : "")
    }

    private static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
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
