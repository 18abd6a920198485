@testable import Console
import Foundation
import Testing
import TestSupport

/// The watcher behind `watch`: bursts of events come back as one change, and events that change
/// nothing are none.
@Suite struct DirectoryWatchTests {
    /// What `next` returns within `seconds`, or nil when nothing came.
    func next(_ watch: DirectoryWatch, within seconds: Double) async -> [String]? {
        let task = Task { await watch.next(quiet: DirectoryWatch.quietTime) }
        let timer = Task {
            try await Task.sleep(for: .seconds(seconds))
            task.cancel()
        }
        defer { timer.cancel() }
        return await task.value
    }

    @Test(.timeLimit(.minutes(1))) func eventsThatLeaveTheContentsAsTheyWereAreNoChange() async throws {
        let dir = TempDir()
        dir.write("p/plugin.py", "A = 1\n")
        let watch = try DirectoryWatch(dir.path)
        dir.write("p/plugin.py", "A = 2\n")
        #expect(await next(watch, within: 20) == ["p/plugin.py"])
        // The same bytes again (an editor's second write, or its last events arriving late), and a
        // change of the file's times only: nothing to run.
        dir.write("p/plugin.py", "A = 2\n")
        #expect(utime(dir.path + "/p/plugin.py", nil) == 0)
        #expect(await next(watch, within: 1) == nil)
        dir.write("p/plugin.py", "A = 3\n")
        #expect(await next(watch, within: 20) == ["p/plugin.py"])
        #expect(unlink(dir.path + "/p/plugin.py") == 0)
        #expect(await next(watch, within: 20) == ["p/plugin.py"])
    }

    /// An edit at the end of a long file, saved again and again, is a change each time (the file's
    /// fingerprint once covered only its first bytes, and a second edit there started no run).
    @Test(.timeLimit(.minutes(1))) func everyEditOfALongFileIsAChangeWhereverItIs() async throws {
        let dir = TempDir()
        let body = String(repeating: "# a comment line that makes the file long enough\n", count: 10)
        dir.write("p/plugin.py", body + "A = 1\n")
        let watch = try DirectoryWatch(dir.path)
        for value in 2...4 {
            dir.write("p/plugin.py", body + "A = \(value)\n")
            #expect(await next(watch, within: 20) == ["p/plugin.py"], "edit \(value)")
        }
    }

    @Test(.timeLimit(.minutes(1))) func anAtomicSavesTemporaryFileIsNoChangeEvenWhenTheSaveIsSlow() async throws {
        let dir = TempDir()
        dir.write("p/plugin.py", "A = 1\n")
        let watch = try DirectoryWatch(dir.path)
        // The temporary files of Foundation's, gedit's and JetBrains' atomic saves, written and left
        // for longer than the quiet time (a loaded machine), then renamed over the real file.
        for scratch in [".dat.nosync1A2B.Xy7QzP", ".goutputstream-QW12ER", "plugin.py___jb_tmp___"] {
            dir.write("p/" + scratch, "A = 2\n")
            #expect(await next(watch, within: 0.5) == nil, "\(scratch)")
            #expect(rename(dir.path + "/p/" + scratch, dir.path + "/p/plugin.py") == 0)
            #expect(await next(watch, within: 20) == ["p/plugin.py"], "\(scratch)")
            dir.write("p/plugin.py", "A = 1\n")
            #expect(await next(watch, within: 20) == ["p/plugin.py"])
        }
    }
}
