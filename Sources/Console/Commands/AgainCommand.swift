import Inspector
import PluginSystem

/// `again [PATH=JSON]...`: the last trace once more, with fields of its input changed.
enum AgainCommand {
    static let usage = "again [--changed] [--quiet-mw] [PATH=JSON]..."

    static let spec = CommandSpec(
        name: "again", usage: usage, summary: "trace the last trace's chain again, with input fields changed",
        help: """
            Runs the last trace again (its chain, its input) with each PATH=JSON applied to the input
            first: again /text="launch now" /tenant_id=null. PATH is a JSON Pointer (a missing member is
            added; an array index or - appends); =JSON alone replaces the whole input; JSON may be @FILE.
            The JSON is read as typed, spaces and all. Takes trace's --changed and --quiet-mw, and stops
            at breakpoints as trace does.
            """,
        arguments: [.assignment],
        run: { args, console throws(ConsoleError) in
            // The walk in progress (a trace paused at a breakpoint), else the last one that finished.
            let inProgress = await console.stepper, lastWalk = await console.debugger.lastWalk, lastTrace = await console.lastTrace
            guard let last = (inProgress ?? lastWalk)?.result ?? lastTrace else {
                throw ConsoleError("nothing to run again: trace a chain first (`trace KIND.HOOK JSON`)")
            }
            var options: Set<String> = []
            var rest = args
            while true {
                let (word, after) = try rest.split()
                guard word.hasPrefix("--") else { break }
                guard TraceCommand.options.contains(word) else { throw args.usageError(usage, "unknown option \(word); it takes \(TraceCommand.options.joined(separator: ", "))") }
                options.insert(word)
                rest = after
            }
            let input = rest.isEmpty ? last.input : try rest.assignments(to: last.input, usage: usage)
            _ = try await console.requireRegistry()
            return await console.trace(last.kind, last.hook, input, view: TraceText.View(options: options))
        })
}
