import PluginSystem

/// `plugins [KIND]`: name, kind, priority (and override), runtime, state with its reason, folder.
enum PluginsCommand {
    static let spec = CommandSpec(
        name: "plugins", usage: "plugins [KIND]", summary: "list plugins with priority, runtime and state",
        help: """
            Lists the plugins (of one kind, when given) in registration order: priority (a run-time
            override shows as `manifest→override`), runtime, state — active, disabled, failed or
            unavailable, with the reason — and folder.
            """,
        arguments: [.kind],
        maxWords: 1,
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            let kind = try args.split().first
            if !kind.isEmpty { try args.knownKind(kind, registry: registry) }
            return Output(
                records: registry.records.filter { kind.isEmpty || $0.kind == kind },
                problems: DispatchProblemsOutput.find(registry, kind: kind.isEmpty ? nil : kind))
        })

    struct Output: CommandOutput {
        var records: [PluginRecord]
        var problems: [DispatchProblem] = []

        var json: JSONObject {
            var o: JSONObject = ["plugins": .array(records.map { .object(PluginJSON.summary($0)) })]
            DispatchProblemsOutput.add(problems, to: &o)
            return o
        }

        func text(_ style: TextStyle) -> String {
            guard !records.isEmpty else { return "no plugins" }
            let nameWidth = max(6, records.map(\.name.count).max() ?? 0) + 2
            let kindWidth = max(4, records.map(\.kind.count).max() ?? 0) + 2
            var lines = [style.dim(pad("NAME", nameWidth) + pad("KIND", kindWidth) + pad("PRIORITY", 11) + pad("RUNTIME", 12) + "STATE")]
            for r in records {
                let priority = r.priorityOverride.map { "\(r.manifest.priority)→\($0)" } ?? "\(r.priority)"
                var state = style.state(r.state.name)
                if let reason = r.state.reason { state += style.dim(" — " + reason.split(separator: "\n").first.map(String.init)!) }
                lines.append(pad(r.name, nameWidth) + pad(r.kind, kindWidth) + pad(priority, 11) + pad(r.manifest.runtime.rawValue, 12) + state)
                if let folder = r.folder { lines.append(style.dim("  " + folder)) }
            }
            lines += DispatchProblemsOutput.lines(problems, style)
            return lines.joined(separator: "\n")
        }
    }
}

/// A plugin record as JSON, the same in every command that lists plugins.
enum PluginJSON {
    static func summary(_ r: PluginRecord) -> JSONObject {
        var o: JSONObject = [
            "name": .string(r.name), "kind": .string(r.kind), "priority": .int(r.priority),
            "manifest_priority": .int(r.manifest.priority), "runtime": .string(r.manifest.runtime.rawValue),
            "state": .string(r.state.name),
        ]
        if let reason = r.state.reason { o["reason"] = .string(reason) }
        if case .failed(let error) = r.state { o["error"] = ErrorJSON.json(error) }
        o["folder"] = r.folder.map(JSONValue.string) ?? .null
        return o
    }
}
