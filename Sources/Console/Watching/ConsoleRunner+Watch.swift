import Foundation
import PluginSystem

extension ConsoleRunner {
    /// Whether `line` is a `watch` command (which the runner runs, not the console state).
    static func isWatch(_ line: String) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        return trimmed == "watch" || trimmed.hasPrefix("watch ") || trimmed.hasPrefix("watch\t")
    }

    /// `watch [replay FILE …]`: until Ctrl-C (or a signal that ends the console), waits for the loaded
    /// directory's files to change and re-runs `reload` (or the replay), printing each result as it
    /// comes. False when it could not start.
    func watch(_ line: String, _ watcher: SignalWatcher) -> Bool {
        let style = self.style
        let console = self.console
        func fail(_ message: String) -> Bool {
            write(configuration.json ? JSONValue.object(["command": "watch", "error": ["message": .string(message)]]).encoded() : "error: " + message)
            return false
        }
        let rerun: String
        let directory: String
        let watch: DirectoryWatch
        do {
            let words = try CommandWords.split(String(line.drop { $0 == " " || $0 == "\t" }).dropFirst(5).description).map(\.text)
            rerun = try WatchCommand.rerun(words)
            guard let loaded = waitFor({ await console.path }) else { return fail("no plugin directory is loaded; use `load DIR`") }
            directory = loaded
            watch = try DirectoryWatch(directory)
        } catch {
            return fail(error.message)
        }
        note("watching \(directory): each change runs `\(rerun)`; Ctrl-C stops")
        // What runs on each change must not stop for the user (a replay at their breakpoints).
        waitFor { await console.setWatching(true) }
        defer { waitFor { await console.setWatching(false) } }
        while watcher.termination == nil {
            guard let changed = watcher.runCancellable({ await watch.next(quiet: DirectoryWatch.quietTime) }) else { break }
            guard let executed = watcher.runCancellable({ await console.execute(rerun) }) else { continue }
            if configuration.json {
                var document = executed.json
                document.modifyObject { $0["changed_files"] = .array(changed.map(JSONValue.string)) }
                write(document.encoded())
            } else {
                let shown = changed.prefix(5).joined(separator: ", ") + (changed.count > 5 ? " and \(changed.count - 5) more" : "")
                write(style.dim("── changed: \(shown)"))
                let text = executed.text(style)
                if !text.isEmpty { write(text) }
            }
            refreshCompletion()
        }
        note("stopped watching \(directory)")
        return true
    }
}
