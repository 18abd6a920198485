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
        // Files already named as ignored: each is said once.
        var announced = Set<String>()
        // Code changed during the last run, which starts the next one.
        var requeued = Set<String>()
        while watcher.termination == nil {
            guard let changed = watcher.runCancellable({ await watch.next(quiet: DirectoryWatch.quietTime) }) else { break }
            // Ctrl-C during a run stops that run and the watch: "until Ctrl-C" whenever it comes.
            let interrupts = watcher.interruptCount
            guard let executed = watcher.runCancellable({ await console.execute(rerun) }) else { continue }
            let interrupted = watcher.interruptCount != interrupts
            // What changed while it ran: a save of code runs again; what the plugins wrote does not.
            let during = watch.drain()
            let code = during.isEmpty ? [] : waitFor { await console.codeAmong(during) }
            let output = during.filter { !code.contains($0) }
            // Code changed again by the run its own change started is the plugins' doing (a plugin
            // that generates a module): running again would never end.
            let startedByRun = !requeued.isEmpty && Set(changed).isSubset(of: requeued)
            let regenerated = during.filter { code.contains($0) && startedByRun && requeued.contains($0) }
            let runsAgain = during.filter { code.contains($0) && !regenerated.contains($0) }
            watch.requeue(runsAgain)
            requeued = Set(runsAgain)
            let ignored = output + regenerated
            watch.ignore(ignored)
            let unsaid = (output: output.filter { !announced.contains($0) }, regenerated: regenerated.filter { !announced.contains($0) })
            announced.formUnion(ignored)
            if configuration.json {
                var document = executed.json
                document.modifyObject {
                    $0["changed_files"] = .array(changed.map(JSONValue.string))
                    if !ignored.isEmpty { $0["ignored_files"] = .array(ignored.sorted().map(JSONValue.string)) }
                }
                write(document.encoded())
            } else {
                write(style.dim("── changed: \(Self.listed(changed))"))
                let text = executed.text(style)
                if !text.isEmpty { write(text) }
                if !unsaid.output.isEmpty {
                    write(style.dim("── ignored: \(Self.listed(unsaid.output)) (changed during the run and not code: taken as the plugins' own output; a save after the run runs again)"))
                }
                if !unsaid.regenerated.isEmpty {
                    write(style.dim("── ignored: \(Self.listed(unsaid.regenerated)) (code changed again during the run its own change started: taken as the plugins' own output; a save after the run runs again)"))
                }
            }
            refreshCompletion()
            if interrupted { break }
        }
        note("stopped watching \(directory)")
        return true
    }

    static func listed(_ files: [String]) -> String {
        files.prefix(5).joined(separator: ", ") + (files.count > 5 ? " and \(files.count - 5) more" : "")
    }
}
