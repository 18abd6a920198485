import PluginSystem

/// `watch`: until Ctrl-C, each change to the loaded directory's files reloads it and re-runs the last
/// trace (or, `watch replay FILE …`, replays the recording) and shows what changed. The console's
/// runner does the watching (`ConsoleRunner.watch`): a run that streams results as files change is
/// not one command with one result.
enum WatchCommand {
    static let usage = "watch [replay FILE [OPTIONS]]"

    static let spec = CommandSpec(
        name: "watch", usage: usage, summary: "reload and re-run the last trace each time a plugin file is saved, until Ctrl-C",
        help: """
            Watches the loaded plugin directory — manifests, code, kinds, resources, app config, every file
            under it but caches (__pycache__, node_modules, .git…) and editors' scratch files — and on each
            change reloads it and re-runs the last trace, showing what the change did (as `reload` does).
            Saves that come in a burst (editors write several times; a refactor touches several files) give
            one run, once 60 ms pass without another. A manifest the edit broke is shown with its error
            and watching goes on; the next save that fixes it reloads again.
            `watch replay FILE [--ignore POINTER]... [--http MODE]` replays the recording on each change
            instead (the whole of it, against the directory as it is now).
            Ctrl-C stops watching and gives the prompt back. `dagstack-console DIR --watch` starts watching
            right after loading (after the -c commands, if any).
            """,
        arguments: [.words(["replay"]), .path],
        run: { _, _ throws(ConsoleError) in
            throw ConsoleError("`watch` runs at the console's prompt, from -c or with --watch; it cannot run inside a replay")
        })

    /// The command a change re-runs, from the words after `watch`.
    static func rerun(_ words: [String]) throws(ConsoleError) -> String {
        guard let first = words.first else { return "reload" }
        guard first == "replay", words.count >= 2 else {
            throw ConsoleError("unexpected '\(first)': `watch` re-runs the last trace, or `watch replay FILE`\nusage: \(usage)")
        }
        return words.map(CommandWords.quoted).joined(separator: " ")
    }
}
