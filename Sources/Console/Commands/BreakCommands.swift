import Inspector
import PluginSystem

/// `break PLUGIN [if CONDITION]`, `break change PATH`, `break error`, `breaks`, `delete N|all`.
enum BreakCommands {
    static let usage = "break PLUGIN [if CONDITION] | break change PATH | break error"

    static let breakSpec = CommandSpec(
        name: "break", usage: usage, summary: "stop a trace or a chain call at a plugin, a change or an error",
        help: """
            break PLUGIN stops before PLUGIN's stage in any chain; with `if CONDITION` only when the
            condition holds for the value the stage receives. break change PATH stops after the stage
            that changed the value at PATH (a JSON Pointer: /text, /items/0, value for the whole value).
            break error stops at a stage that raised, before the walk leaves it (then retry, skip, set).
            A trace, a chain call or `again` that hits one stops there and goes on as a step session:
            continue runs on to the next. Breakpoints survive reload and are recorded in sessions: a
            replay runs each entry with the breakpoints it was recorded with, so a recorded trace that
            stopped at one stops there again. At an interactive prompt a replay also stops at yours,
            and the replayed command's walk becomes your step session (`help replay`).
            CONDITION: paths (/text, /"a key", value), JSON literals ("rm", 3, null, [1,2]), == != < <=
            > >=, in, contains, matches /regex/flags (i m s), and, or, not, parentheses. A path that is
            missing compares unequal to everything; a path alone is true when it holds a truthy value.
            Example: break blacklist if /text contains "rm" and not /tenant_id == "acme-corp"
            `break` alone lists the breakpoints, as `breaks` does.
            """,
        arguments: [.breakTarget],
        run: { args, console throws(ConsoleError) in
            if args.isEmpty { return BreaksOutput(breakpoints: await console.debugger.breakpoints) }
            return try await console.addBreakpoint(args)
        })

    static let breaksSpec = CommandSpec(
        name: "breaks", usage: "breaks", summary: "list the breakpoints with their hit counts",
        help: "Lists every breakpoint: its number (for `delete`), what it stops at, and how many times it stopped a walk.",
        maxWords: 0,
        run: { _, console throws(ConsoleError) in BreaksOutput(breakpoints: await console.debugger.breakpoints) })

    static let deleteSpec = CommandSpec(
        name: "delete", usage: "delete N|all", summary: "delete a breakpoint (or all of them)",
        help: "Deletes breakpoint N (its number from `breaks`), or every breakpoint with `delete all`.",
        arguments: [.breakpoint],
        maxWords: 1,
        run: { args, console throws(ConsoleError) in
            guard let word = try args.words().first, !word.isEmpty else { throw args.usageError("delete N|all", "missing N or all") }
            return try await console.deleteBreakpoints(word)
        })
}

extension ConsoleState {
    func addBreakpoint(_ args: CommandArguments) throws(ConsoleError) -> any CommandOutput {
        let breakpoint: Breakpoint
        do { breakpoint = try Breakpoint.parse(id: debugger.nextBreakpoint, args.text) } catch {
            let column = args.offset + error.offset + 1
            throw ConsoleError("bad breakpoint at column \(column): \(error.message)\n  \(args.line)\n  \(String(repeating: " ", count: column - 1))^\nusage: \(BreakCommands.usage)")
        }
        var note = ""
        if case .plugin(let name, _) = breakpoint.trigger {
            let registry = try requireRegistry()
            let record = try args.plugin(name, registry: registry, usage: BreakCommands.usage)
            if record.manifest.isMiddleware {
                throw ConsoleError("'\(name)' is middleware: it runs around stages, it is not one; break on a stage it wraps (`order KIND` lists them)")
            }
            if !KindCatalog(registry).hooks(of: record.kind).contains(where: { $0.dispatch == .chain }) {
                note = " — note: kind '\(record.kind)' has no chain hook, and only chains stop at breakpoints"
            }
        }
        if let same = debugger.breakpoints.first(where: { $0.trigger == breakpoint.trigger }) {
            throw ConsoleError("breakpoint \(same.id) already stops there (\(same.spec))")
        }
        debugger.breakpoints.append(breakpoint)
        debugger.nextBreakpoint += 1
        return MessageOutput(message: "breakpoint \(breakpoint.id): \(breakpoint.spec)" + note, fields: ["breakpoint": BreakpointJSON.object(breakpoint)])
    }

    func deleteBreakpoints(_ word: String) throws(ConsoleError) -> any CommandOutput {
        if word == "all" {
            let ids = debugger.breakpoints.map(\.id)
            debugger.breakpoints = []
            return MessageOutput(
                message: ids.isEmpty ? "no breakpoints to delete" : "deleted \(ids.count) breakpoint\(ids.count == 1 ? "" : "s")",
                fields: ["deleted": .array(ids.map { .int($0) })])
        }
        guard let id = Int(word) else { throw ConsoleError("delete takes a breakpoint number or all, not '\(word)'\nusage: delete N|all") }
        guard let index = debugger.breakpoints.firstIndex(where: { $0.id == id }) else {
            let known = debugger.breakpoints.map { "\($0.id)" }.joined(separator: ", ")
            throw ConsoleError("no breakpoint \(id)" + (known.isEmpty ? "; there are none" : "; breakpoints: \(known)"))
        }
        let removed = debugger.breakpoints.remove(at: index)
        return MessageOutput(message: "deleted breakpoint \(id) (\(removed.spec))", fields: ["deleted": [.int(id)]])
    }
}

enum BreakpointJSON {
    /// - Parameter hits: with its hit count (a pause names the breakpoint, whose count has moved on since).
    static func object(_ b: Breakpoint, hits: Bool = true) -> JSONValue {
        var o: JSONObject = ["id": .int(b.id), "spec": .string(b.spec)]
        if hits { o["hits"] = .int(b.hits) }
        switch b.trigger {
        case .plugin(let name, let condition):
            o["type"] = "plugin"
            o["plugin"] = .string(name)
            o["condition"] = condition.map { .string($0.description) } ?? .null
        case .change(let path):
            o["type"] = "change"
            o["path"] = .string(path.description)
        case .error:
            o["type"] = "error"
        }
        return .object(o)
    }
}

struct BreaksOutput: CommandOutput {
    var breakpoints: [Breakpoint]

    var json: JSONObject { ["breakpoints": .array(breakpoints.map { BreakpointJSON.object($0) })] }

    func text(_ style: TextStyle) -> String {
        guard !breakpoints.isEmpty else { return "no breakpoints (break PLUGIN [if CONDITION] | break change PATH | break error)" }
        // A long condition widens the column rather than running into the count.
        let width = max(48, (breakpoints.map(\.spec.count).max() ?? 0) + 2)
        return breakpoints.map { b in
            "  " + pad(style.bold("\(b.id)"), 4) + pad(b.spec, width) + style.dim("\(b.hits) hit\(b.hits == 1 ? "" : "s")")
        }.joined(separator: "\n")
    }
}
