import Inspector
import PluginSystem

/// Going back in a walk: `back [N]`, `goto PLUGIN|N`, `retry`, `history [N]`. They act on the walk
/// in progress, or on the last one that finished (a trace included), which they reopen.
enum WalkCommands {
    static let back = CommandSpec(
        name: "back", usage: "back [N]", summary: "return to the value before an earlier stage of the walk",
        help: """
            Goes back N stages (1 by default) in the walk in progress — or in the last trace or walk that
            finished, which becomes a step session again. The walk stands before that stage with the value
            it was given; nothing runs. From there next, set, skip and continue run forward on a new branch:
            the one you left stays in `history`.
            """,
        maxWords: 1,
        run: { args, console throws(ConsoleError) in
            let words = try args.words()
            let count = try words.first.map { word throws(ConsoleError) in
                guard let n = Int(word), n >= 1 else { throw args.usageError("back [N]", "N must be a whole number, 1 or more: '\(word)'") }
                return n
            } ?? 1
            let walk = try await console.currentWalk(for: "back", reopen: true)
            do throws(WalkError) { try walk.back(count) } catch { throw ConsoleError(error.message) }
            return WalkOutput(event: .back, walk: walk, stages: [])
        })

    static let goto = CommandSpec(
        name: "goto", usage: "goto PLUGIN|N", summary: "jump to a stage of the walk (by plugin or number)",
        help: """
            Stands before stage N (or PLUGIN's stage) of the walk in progress, or of the last finished one.
            A stage this branch already reached is jumped to without running anything; a later one is run
            up to. Then next, set, continue run forward from there (a new branch when the branch went on
            past it).
            """,
        arguments: [.stage],
        maxWords: 1,
        run: { args, console throws(ConsoleError) in
            let words = try args.words()
            guard let target = words.first, !target.isEmpty else { throw args.usageError("goto PLUGIN|N", "missing PLUGIN or N") }
            let walk = try await console.currentWalk(for: "goto", reopen: true)
            let stages = walk.tracer.stages
            let position: Int
            if let n = Int(target) {
                guard n >= 1, n <= stages.count else { throw ConsoleError("no stage \(n): \(walk.tracer.kind).\(walk.tracer.hook) has \(stages.count) (1–\(stages.count))") }
                position = n - 1
            } else if let index = stages.firstIndex(where: { $0.record.name == target }) {
                position = index
            } else {
                let names = stages.map(\.record.name)
                let near = Levenshtein.nearest(target, in: names)
                throw ConsoleError("'\(target)' is not a stage of \(walk.tracer.kind).\(walk.tracer.hook)"
                    + (near.isEmpty ? "" : "; did you mean \(near.map { "'\($0)'" }.joined(separator: ", "))?") + "\nits stages: \(names.joined(separator: ", "))")
            }
            let run: ChainStepper.Run
            do throws(WalkError) { run = try await walk.goto(position) } catch { throw ConsoleError(error.message) }
            await console.settle(walk)
            return WalkOutput(event: .goto, walk: walk, stages: run.stages, view: await console.debugger.walkView)
        })

    static let retry = CommandSpec(
        name: "retry", usage: "retry", summary: "run the stage that raised again (after set, or after reload fixed it)",
        help: """
            In a walk standing at a stage that raised, runs that stage again — on the value `set` gave it,
            or with the code `reload` read again — without starting the chain over. If it raises again the
            walk stays there; if it passes, the walk goes on from it.
            """,
        maxWords: 0,
        run: { _, console throws(ConsoleError) in
            guard let walk = await console.stepper, !walk.isFinished else {
                throw ConsoleError("nothing to retry: no walk stands at a stage that raised (`step` walks a chain; a stage that raises stops it there)")
            }
            let stage: StageTrace
            do throws(WalkError) { stage = try await walk.retry() } catch { throw ConsoleError(error.message) }
            await console.settle(walk)
            return WalkOutput(event: .retried, walk: walk, stages: [stage], view: await console.debugger.walkView)
        })

    static let history = CommandSpec(
        name: "history", usage: "history [N]", summary: "the branches of the walk, or one of them in full",
        help: """
            Lists the branches of the walk in progress (or of the last one): the first run, and every run
            that went forward again after back, goto or set, with their stages and how each ended — the
            current one marked. `history N` shows branch N as a trace, abandoned or not.
            """,
        maxWords: 1,
        run: { args, console throws(ConsoleError) in
            let walk = try await console.currentWalk(for: "history", reopen: false)
            let words = try args.words()
            var detail: Int?
            if let word = words.first {
                guard let n = Int(word), n >= 1, n <= walk.branches.count else {
                    throw ConsoleError("no branch '\(word)': the walk has \(walk.branches.count) (1–\(walk.branches.count))")
                }
                detail = n
            }
            return HistoryOutput(walk: walk, detail: detail)
        })
}

/// The branches of a walk, as Redux DevTools lists its log.
struct HistoryOutput: CommandOutput {
    var kind: String
    var hook: String
    var input: JSONValue
    var branches: [WalkBranch]
    var current: Int
    var cursor: Int
    var positions: [String: Int]
    var detail: Int?

    init(walk: ChainStepper, detail: Int?) {
        kind = walk.tracer.kind
        hook = walk.tracer.hook
        input = walk.input
        branches = walk.branches
        current = walk.currentBranch
        cursor = walk.cursor
        positions = Dictionary(walk.tracer.stages.enumerated().map { ($1.record.name, $0 + 1) }, uniquingKeysWith: { a, _ in a })
        self.detail = detail
    }

    func status(_ b: WalkBranch) -> String {
        guard let end = b.end else { return "open" }
        if end.aborted { return "aborted" }
        if end.error != nil { return "failed" }
        if end.stoppedBy != nil { return "stopped" }
        return "finished"
    }

    func branchJSON(_ b: WalkBranch) -> JSONValue {
        var o: JSONObject = [
            "branch": .int(b.id), "origin": .string(b.origin), "parent": b.parent.map { .int($0) } ?? .null,
            "forked_at": .int(b.forkedAt), "status": .string(status(b)), "current": .bool(b.id == current),
            "steps": .array(b.steps.enumerated().map { index, step in
                var s: JSONObject = [
                    "position": .int(positions[step.plugin] ?? index + 1), "plugin": .string(step.plugin),
                    "status": .string(step.stage.status.rawValue), "shared": .bool(index < b.forkedAt),
                ]
                if !step.failedAttempts.isEmpty { s["failed_attempts"] = .int(step.failedAttempts.count) }
                if let edit = step.edit { s["set"] = ["old": edit.replaced, "new": edit.by] }
                return .object(s)
            }),
            "output": b.end?.output ?? .null, "stopped_by": b.end?.stoppedBy.map(JSONValue.string) ?? .null,
            "error": b.end?.error.map(ErrorJSON.json) ?? .null,
        ]
        if b.end?.aborted == true {
            o["output"] = .null
            o["reached"] = b.end?.output ?? .null
        }
        if b.id == current { o["cursor"] = .int(cursor) }
        return .object(o)
    }

    var json: JSONObject {
        var o: JSONObject = ["kind": .string(kind), "hook": .string(hook), "current": .int(current), "branches": .array(branches.map(branchJSON))]
        if let detail { o["trace"] = .object(TraceJSON.object(branches[detail - 1].result(kind: kind, hook: hook, input: input))) }
        return o
    }

    func text(_ style: TextStyle) -> String {
        if let detail {
            let b = branches[detail - 1]
            return style.bold("branch \(b.id)") + style.dim(" — \(b.origin)") + "\n" + TraceText.render(b.result(kind: kind, hook: hook, input: input), style, chain: Array(positions.keys))
        }
        var lines = [style.bold("history \(kind).\(hook)") + style.dim("  \(branches.count) branch\(branches.count == 1 ? "" : "es")")]
        for b in branches {
            let mark = b.id == current ? style.green("*") : " "
            lines.append(" \(mark) " + style.bold("\(b.id)") + "  " + style.dim(b.origin) + "  " + style.state(status(b)))
            var steps: [String] = []
            for (index, step) in b.steps.enumerated() {
                var text = "\(positions[step.plugin] ?? index + 1) \(step.plugin) \(step.stage.status.rawValue)"
                if step.edit != nil { text = "set → " + text }
                if !step.failedAttempts.isEmpty { text += " (after \(step.failedAttempts.count) failed)" }
                if b.id == current && index == cursor { steps.append(style.green("▸")) }
                steps.append(index < b.forkedAt ? style.dim(text) : text)
            }
            if b.id == current && cursor == b.steps.count && b.end == nil { steps.append(style.green("▸")) }
            if !steps.isEmpty { lines.append("      " + steps.joined(separator: ", ")) }
            if let end = b.end {
                if let error = end.error { lines.append("      " + style.red("failed") + ": " + error.description) }
                else if end.aborted, let reached = end.output {
                    lines.append("      " + style.dim("value reached ") + ValueText.short(reached, limit: 120))
                } else if let output = end.output {
                    lines.append("      " + style.dim("output ") + ValueText.short(output, limit: 120) + TraceText.stoppedBy(end.stoppedBy, style))
                }
            }
        }
        lines.append(style.dim("  history N shows a branch in full; back and goto move in the current one"))
        return lines.joined(separator: "\n")
    }
}
