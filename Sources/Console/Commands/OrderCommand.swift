import PluginSystem

/// `order KIND[.HOOK]`: the dispatch order in force now — middleware first, then the kind's plugins
/// by priority (overrides included), with the ones that will not run shown crossed out.
enum OrderCommand {
    static let usage = "order KIND[.HOOK]"

    static let spec = CommandSpec(
        name: "order", usage: usage, summary: "show the dispatch order now in force",
        help: """
            Shows the order a dispatch of KIND (or KIND.HOOK) uses now: the middleware that wraps it first
            (outermost first), then the kind's plugins by priority, ties by name. Disabled plugins are
            crossed out and failed or unavailable ones marked; with HOOK, plugins without it are left out.
            `disable`, `enable` and `priority` change this at once.
            """,
        arguments: [.kindHook],
        maxWords: 1,
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            let word = try args.split().first
            guard !word.isEmpty else { throw args.usageError(usage, "missing KIND") }
            var kind = word, hook: String?
            if !KindCatalog(registry).kinds.contains(word) {
                // A misspelt kind is an unknown kind (with the nearest), not a malformed KIND.HOOK.
                if !word.contains(".") { try args.knownKind(word, registry: registry) }
                (kind, hook) = try args.kindHook(word, registry: registry, usage: usage)
            }
            let plugins = registry.ordered(kind: kind).filter { !$0.manifest.isMiddleware && (hook == nil || $0.instance == nil || $0.implements(hook!)) }
            let middleware = registry.records.filter { record in
                guard let wrap = record.manifest.chainWrap else { return false }
                return hook.map { wrap.wraps(kind: kind, hook: $0) } ?? (wrap.kinds.contains("*") || wrap.kinds.contains(kind))
            }.sorted(by: PluginRecord.dispatchOrder)
            let problems = DispatchProblemsOutput.find(registry, kind: kind).filter { hook == nil || $0.hook == hook }
            var output = Output(kind: kind, hook: hook, middleware: middleware, plugins: plugins, problems: problems)
            // A middleware kind is not dispatched: its plugins wrap other kinds' hooks.
            output.wrappers = registry.ordered(kind: kind).filter(\.manifest.isMiddleware)
            if plugins.isEmpty && !output.wrappers.isEmpty { output.middleware = [] }
            return output
        })

    struct Output: CommandOutput {
        var kind: String
        var hook: String?
        var middleware: [PluginRecord]
        var plugins: [PluginRecord]
        var problems: [DispatchProblem] = []
        /// The kind's own middleware plugins and what each wraps.
        var wrappers: [PluginRecord] = []

        /// "every hook of every kind", "rewrite of query_rewriter".
        static func wraps(_ r: PluginRecord) -> String {
            guard let wrap = r.manifest.chainWrap else { return "nothing" }
            let hooks = wrap.hooks.contains("*") ? "every hook" : wrap.hooks.joined(separator: ", ")
            let kinds = wrap.kinds.contains("*") ? "every kind" : wrap.kinds.joined(separator: ", ")
            return "\(hooks) of \(kinds)"
        }

        var json: JSONObject {
            func entry(_ r: PluginRecord, _ position: Int?) -> JSONValue {
                var o: JSONObject = ["plugin": .string(r.name), "priority": .int(r.priority), "state": .string(r.state.name), "runs": .bool(r.isActive)]
                if let position { o["position"] = .int(position) }
                if r.priorityOverride != nil { o["manifest_priority"] = .int(r.manifest.priority) }
                return .object(o)
            }
            var o: JSONObject = [
                "kind": .string(kind), "hook": hook.map(JSONValue.string) ?? .null,
                "middleware": .array(middleware.map { entry($0, nil) }),
                "order": .array(plugins.enumerated().map { entry($1, $0 + 1) }),
            ]
            DispatchProblemsOutput.add(problems, to: &o)
            if !wrappers.isEmpty {
                o["wrappers"] = .array(wrappers.map { r in
                    ["plugin": .string(r.name), "priority": .int(r.priority), "state": .string(r.state.name),
                     "wraps": ["kinds": .array((r.manifest.chainWrap?.kinds ?? []).map(JSONValue.string)),
                               "hooks": .array((r.manifest.chainWrap?.hooks ?? []).map(JSONValue.string))]]
                })
            }
            return o
        }

        func text(_ style: TextStyle) -> String {
            var lines = [style.bold("order \(kind)\(hook.map { ".\($0)" } ?? "")")]
            for m in middleware {
                lines.append("  " + style.cyan("wrap") + " \(pad(line(m, style), 30)) " + style.dim("middleware, priority \(m.priority)"))
            }
            // Numbered as `trace` numbers its stages (and `goto N`, `break` take them): a plugin that
            // will not run keeps its place, marked.
            for (index, r) in plugins.enumerated() {
                lines.append("  " + pad("\(index + 1).", 4) + " " + line(r, style))
            }
            if plugins.isEmpty && !wrappers.isEmpty {
                lines.append(style.dim("  '\(kind)' is a middleware kind: it is not dispatched; its plugins wrap other kinds' hooks"))
                for r in wrappers { lines.append("  " + style.cyan("wrap") + " " + line(r, style) + style.dim("  wraps " + Self.wraps(r))) }
            } else if plugins.isEmpty {
                lines.append(style.dim("  no plugins"))
            }
            lines += DispatchProblemsOutput.lines(problems, style)
            return lines.joined(separator: "\n")
        }

        func line(_ r: PluginRecord, _ style: TextStyle) -> String {
            let override = r.priorityOverride.map { _ in style.dim(" (manifest \(r.manifest.priority))") } ?? ""
            let body = pad(r.name, 18) + " " + pad("\(r.priority)", 6)
            switch r.state {
            case .active: return body + override
            case .disabled: return style.struck(body) + override + " " + style.state("disabled")
            default:
                return style.struck(body) + " " + style.state(r.state.name)
                    + style.dim(r.state.reason.map { " — " + BriefReason.of($0, plugin: r.name) } ?? "")
            }
        }
    }
}
