import Inspector
import PluginHosts
import PluginSystem

/// `debug KIND.HOOK JSON [PLUGIN]`: run a hook with pdb stopped at the first line of a plugin's
/// own code, no edit of the plugin needed. A chain is traced (the result is `trace`'s), any other
/// hook dispatched (the result is `call`'s).
enum DebugCommand {
    static let usage = "debug KIND.HOOK JSON|example[N]|@FILE [PLUGIN]"

    static let spec = CommandSpec(
        name: "debug", usage: usage, summary: "run a hook with pdb stopped at the first line of a plugin's code",
        help: """
            Runs KIND.HOOK with JSON exactly as trace (a chain) or call (any other class) would — breakpoints
            and `why` included — with pdb stopped
            at the first line of PLUGIN's hook method — by default the first Python plugin the dispatch
            calls. A middleware named as PLUGIN stops in its before(). In pdb: n, s, p, l, pp, where, c
            (the call goes on; the result is shown as usual), q (that call stops with "stopped in the
            debugger"; the plugin stays active). Needs the console on a terminal. Python plugins only:
            for a stdio plugin attach its own debugger to the pid `show PLUGIN` prints.
            """,
        arguments: [.kindHook, .chainInput],
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            try await console.requireDebugger("debug")
            let (request, named) = try args.splittingPlugin()
            let (kind, hook) = try args.kindHook(try request.split().first, registry: registry, usage: usage)
            let dispatch = KindCatalog(registry).hooks(of: kind).first { $0.name == hook }!.dispatch
            let plan: DispatchPlan
            do throws(DagstackError) { plan = try registry.plan(kind: kind, hook: hook, as: dispatch) } catch { throw ConsoleError(error) }
            let target = try debugTarget(named, plan: plan, registry: registry, args: args)
            // Exactly what `trace` (a chain) or `call` does with the same words, under pdb.
            let command = dispatch == .chain ? TraceCommand.spec : CallCommand.spec
            let ran = await DebugTarget.$current.withValue(target) { () async -> Result<any CommandOutput, ConsoleError> in
                do throws(ConsoleError) { return .success(try await command.run(request, console)) } catch { return .failure(error) }
            }
            return Output(target: target, inner: try ran.get())
        })

    /// Who pdb stops in: PLUGIN (a plugin the dispatch calls, or a middleware wrapping it), else the
    /// first Python plugin the dispatch calls.
    static func debugTarget(_ name: String?, plan: DispatchPlan, registry: PluginRegistry, args: CommandArguments) throws(ConsoleError) -> DebugTarget {
        let what = "\(plan.kind).\(plan.hook)"
        guard let name else {
            guard let first = plan.candidates.first(where: { $0.instance is PythonPlugin }) else {
                let others = plan.candidates.map { "'\($0.name)' (\(PostMortemCommand.runtime(of: $0)))" }
                throw ConsoleError("no Python plugin takes part in \(what)\(others.isEmpty ? "" : ": " + others.joined(separator: ", ")); pdb debugs Python plugins — for another runtime, attach its own debugger to the pid `show PLUGIN` prints")
            }
            return DebugTarget(plugin: first.name, hook: plan.hook)
        }
        let record = try args.plugin(name, registry: registry, usage: usage)
        let wraps = plan.middleware.contains { $0.name == name }
        guard wraps || plan.candidates.contains(where: { $0.name == name }) else {
            let state = record.state == .active ? "" : " (it is \(record.state.name))"
            throw ConsoleError("'\(name)' does not take part in \(what)\(state); the plugins it calls: \(plan.candidates.map(\.name).joined(separator: ", "))")
        }
        try PostMortemCommand.requirePython(record)
        return DebugTarget(plugin: name, hook: wraps ? nil : plan.hook)
    }

    struct Output: CommandOutput {
        var target: DebugTarget
        var inner: any CommandOutput

        var succeeded: Bool { inner.succeeded }
        var pluginFailures: [DagstackError] { inner.pluginFailures }

        var json: JSONObject {
            var o = inner.json
            o["debugged"] = target.wasClaimed ? .string(target.plugin) : .null
            return o
        }

        func text(_ style: TextStyle) -> String {
            let note = target.wasClaimed
                ? style.dim("pdb ran in \(target.plugin)")
                : style.yellow("pdb did not stop: \(target.plugin)'s \(target.hook ?? "code") did not run (see below)")
            return note + "\n" + inner.text(style)
        }
    }
}

/// `pm [PLUGIN]`: pdb post-mortem on the exception a plugin's code raised last, in its own frames.
enum PostMortemCommand {
    static let usage = "pm [PLUGIN]"

    static let spec = CommandSpec(
        name: "pm", usage: usage, summary: "pdb post-mortem on the exception a plugin raised last",
        help: """
            Opens pdb on the traceback of the exception PLUGIN's code raised last (by default the plugin
            of the last error a command showed), at the frame that raised: where, up, down, p, pp, l work
            on the plugin's own frames; q or c leaves. As IPython's %debug. The exception is kept until
            the plugin's code next succeeds, or its interpreter restarts. Needs the console on a terminal.
            """,
        arguments: [.plugin],
        maxWords: 1,
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            try await console.requireDebugger("pm")
            let typed = try args.words().first
            let last = await console.lastFailure
            guard let name = typed ?? last?.plugin else {
                throw ConsoleError("no plugin has failed yet; `pm` follows a command whose plugin raised (or name one: \(usage))")
            }
            let record = try args.plugin(name, registry: registry, usage: usage)
            try requirePython(record)
            let host = (record.instance as! PythonPlugin).host
            switch await host.postMortem(name) {
            case .success(let found):
                let exception = found["exception"]?.stringValue ?? "?"
                let place = found["where"]?.stringValue ?? name
                let waited = found["debugger_us"]?.intValue ?? 0
                return MessageOutput(
                    message: "post-mortem of \(place) (\(exception)): left after \(TraceText.debuggerWait(waited))",
                    fields: ["plugin": .string(name), "where": .string(place), "exception": .string(exception), "debugger_us": .int(waited)])
            case .failure(let error) where error.exceptionType == "NoPostMortem":
                var message = "no exception of '\(name)' to look at: its code raised none since its interpreter started, or it ran successfully since"
                if let last, last.plugin == name, last.exceptionType == nil {
                    message += "; its last failure was not an exception in its code: \(last.code.rawValue): \(last.message)"
                }
                throw ConsoleError(message)
            case .failure(let error):
                throw ConsoleError(error)
            }
        })

    /// pdb stops in Python plugins only; the others are named with what to do instead.
    static func requirePython(_ record: PluginRecord) throws(ConsoleError) {
        guard !(record.instance is PythonPlugin) else { return }
        switch record.instance {
        case let stdio as StdioPlugin:
            let pid = stdio.pid.map { "pid \($0)" } ?? "its pid"
            throw ConsoleError("'\(record.name)' runs over mcp_stdio: its stdin and stdout are the protocol, so pdb cannot have a terminal there; attach its language's own debugger to its process (\(pid), `show \(record.name)`; docs/console.md, \"Debugging inside a plugin\")")
        case let node as NodePlugin:
            let pid = node.host.pid.map { "pid \($0)" } ?? "its pid"
            throw ConsoleError("'\(record.name)' is a JavaScript/TypeScript plugin in the directory's Node process: pdb debugs Python plugins; attach Node's inspector to that process (kill -USR1 on \(pid), then chrome://inspect; docs/runtime.md, \"TypeScript and JavaScript plugins\")")
        case let http as HTTPPlugin:
            throw ConsoleError("'\(record.name)' is an mcp_http service at \(http.endpoint): its code runs in a process the console did not start and has no terminal for; attach its language's own debugger to that service (docs/console.md, \"Debugging inside a plugin\")")
        case nil:
            throw ConsoleError("'\(record.name)' is \(record.state.name)\(record.state.reason.map { ": \($0)" } ?? ""): it has no code running to debug")
        default:
            throw ConsoleError("'\(record.name)' is a Swift plugin, compiled into the console: pdb debugs Python plugins (debug Swift ones with lldb on the console)")
        }
    }

    static func runtime(of record: PluginRecord) -> String {
        switch record.instance {
        case is PythonPlugin: "Python"
        case is NodePlugin: "Node"
        case is StdioPlugin: "mcp_stdio"
        case is HTTPPlugin: "mcp_http"
        default: "Swift"
        }
    }
}

extension ConsoleState {
    /// Refuses `command` when pdb could not have the terminal: batch runs, `--json`, output not a terminal.
    func requireDebugger(_ command: String) throws(ConsoleError) {
        if case .unavailable(let reason) = options.debugger {
            throw ConsoleError("`\(command)` needs an interactive console: \(reason)")
        }
    }
}

extension CommandArguments {
    /// `KIND.HOOK INPUT [PLUGIN]`: the arguments without PLUGIN, and PLUGIN. The last word is PLUGIN
    /// when INPUT is more than one word and not JSON as a whole (`{"text": "two words"}` is INPUT
    /// alone; `{"text": "x"} suffix` and `example[2] suffix` end with PLUGIN).
    func splittingPlugin() throws(ConsoleError) -> (request: CommandArguments, plugin: String?) {
        let (_, input) = try split()
        if (try? input.json(usage: "")) != nil { return (self, nil) }
        let words = try CommandWords.split(input.text, offset: input.offset)
        guard words.count > 1, let last = words.last, !last.text.isEmpty else { return (self, nil) }
        let cut = text.count - input.text.count + last.start
        return (CommandArguments(line: line, text: String(text.prefix(cut)), offset: offset), last.text)
    }
}
