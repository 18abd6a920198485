import PluginSystem

/// `kinds`: every kind, how many plugins it has, and its hooks with their dispatch class.
enum KindsCommand {
    static let spec = CommandSpec(
        name: "kinds", usage: "kinds", summary: "list kinds, their plugins and hooks with dispatch classes",
        help: """
            Lists every kind: from the hookspecs in the directory's kinds/ folder and from the plugins'
            manifests. For each hook: its dispatch class, marked (inferred) when the kind has no hookspec,
            and its input/output schemas; for broadcast_collect, its error_policy — fail_fast (the first
            failure ends the collect; ADR-0002's default) or best_effort (failures are skipped).
            """,
        maxWords: 0,
        run: { _, console throws(ConsoleError) in try await Output(registry: console.requireRegistry()) })

    struct Output: CommandOutput {
        struct Row {
            var kind: String
            var plugins: Int
            var middleware: Bool
            var hooks: [KindCatalog.Hook]
            var source: String?
        }

        var rows: [Row]

        init(registry: PluginRegistry) {
            let catalog = KindCatalog(registry)
            rows = catalog.kinds.map { kind in
                let plugins = registry.ordered(kind: kind)
                return Row(
                    kind: kind, plugins: plugins.count, middleware: !plugins.isEmpty && plugins.allSatisfy(\.manifest.isMiddleware),
                    hooks: catalog.hooks(of: kind), source: registry.kinds.spec(for: kind)?.source)
            }
        }

        var json: JSONObject {
            ["kinds": .array(rows.map { row in
                var o: JSONObject = ["kind": .string(row.kind), "plugins": .int(row.plugins)]
                if row.middleware { o["middleware"] = true }
                o["hookspec"] = row.source.map(JSONValue.string) ?? .null
                o["hooks"] = .array(row.hooks.map { hook in
                    var h: JSONObject = [
                        "name": .string(hook.name), "dispatch": .string(hook.wrapper ? "middleware" : hook.dispatch.rawValue),
                        "inferred": .bool(!hook.fromSpec && !hook.wrapper),
                    ]
                    if hook.dispatch == .broadcastCollect && !hook.wrapper {
                        h["error_policy"] = .string((hook.spec?.errorPolicy ?? .default).rawValue)
                        h["error_policy_declared"] = .bool(hook.spec?.errorPolicy != nil)
                    }
                    if let path = hook.spec?.inputSchemaPath { h["input_schema"] = .string(path) }
                    if let path = hook.spec?.outputSchemaPath { h["output_schema"] = .string(path) }
                    return .object(h)
                })
                return .object(o)
            })]
        }

        func text(_ style: TextStyle) -> String {
            guard !rows.isEmpty else { return "no kinds" }
            return rows.map { row in
                var head = style.bold(row.kind) + "  " + style.dim("\(row.plugins) plugin\(row.plugins == 1 ? "" : "s")")
                if row.middleware { head += style.dim("  (middleware)") }
                let hooks = row.hooks.map { hook -> String in
                    if hook.wrapper {
                        return "  \(pad(hook.name, 14)) \(style.cyan("middleware"))" + style.dim(" (called around every hook its chain_wrap covers)")
                    }
                    var line = "  \(pad(hook.name, 14)) \(style.cyan(hook.dispatch.rawValue))"
                    if !hook.fromSpec { line += style.dim(" (inferred: no hookspec)") }
                    if hook.dispatch == .broadcastCollect {
                        let declared = hook.spec?.errorPolicy
                        line += "  error_policy " + (declared ?? .default).rawValue + (declared == nil ? style.dim(" (ADR-0002 default)") : "")
                    }
                    if let input = hook.spec?.inputSchemaPath { line += style.dim("  in: \(input)") }
                    if let output = hook.spec?.outputSchemaPath { line += style.dim("  out: \(output)") }
                    return line
                }
                return ([head] + hooks).joined(separator: "\n")
            }.joined(separator: "\n")
        }
    }
}
