import Foundation

// dagstack-bench FIGURE... [--console PATH] [--plugins1000 DIR] [--python-recording FILE]
// Prints one figure per line: `name: value unit`.
let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}
let figures = arguments.prefix { !$0.hasPrefix("--") }
// Absolute: the start-up and memory figures run the console from the repository root.
let console = URL(fileURLWithPath: option("--console") ?? Bench.root + "/.build/release/dagstack-console").standardizedFileURL.path
let all = [
    "chain", "trace", "stdio", "startup", "plugins1000", "diff", "replay", "memory", "prompt", "reload", "watch", "replay-python",
]
for figure in figures.isEmpty ? all[...] : figures {
    switch figure {
    case "chain": try await Bench.chainDispatch()
    case "trace": try await Bench.tracePython()
    case "stdio": try await Bench.stdio()
    case "startup": try Bench.startup(console: console)
    case "plugins1000":
        guard let folder = option("--plugins1000") else { FileHandle.standardError.write(Data("plugins1000 needs --plugins1000 DIR\n".utf8)); exit(2) }
        try await Bench.thousandPlugins(folder: folder)
    case "diff": await Bench.diff()
    case "replay": try await Bench.replay()
    case "memory": try Bench.memory(console: console)
    case "prompt": try Bench.startupToPrompt(console: console)
    case "reload": try Bench.reloadAfterEdit(console: console)
    case "watch": try Bench.watchSaveToTrace(console: console)
    // The recording is kept where --python-recording says: the reference replays the same calls.
    case "replay-python": try await Bench.replayPython(recording: option("--python-recording"))
    default:
        FileHandle.standardError.write(Data("unknown figure \(figure); figures: \(all.joined(separator: " "))\n".utf8))
        exit(2)
    }
}
