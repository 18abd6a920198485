import Foundation
import Glibc

/// Changes to the files of a plugin directory, from inotify: every folder under it is watched (new
/// folders as they appear), caches and editors' scratch files left out. A burst of saves — editors
/// write a file several times, or several files at once — comes back as one change.
final class DirectoryWatch: @unchecked Sendable {
    let root: String
    private let fd: Int32
    /// Watch descriptor → the folder it watches, relative to `root` ("" for the root itself).
    private var folders: [Int32: String] = [:]

    /// Folders whose changes are not the plugins' own (caches, version control, dependencies).
    static let skippedFolders: Set<String> = [
        "__pycache__", ".git", ".hg", ".svn", "node_modules", ".build", ".mypy_cache", ".pytest_cache", ".venv",
    ]

    /// A file an editor or a cache writes beside the real one: swap and backup files, and the
    /// temporary files atomic saves write and rename over the real one (Foundation's, gedit's,
    /// JetBrains') — on a busy machine the rename can come after the quiet time, and the temporary
    /// file alone must not start a run.
    static func isScratch(_ name: String) -> Bool {
        name.hasSuffix("~") || name.hasSuffix(".swp") || name.hasSuffix(".swx") || name.hasSuffix(".pyc") || name.hasPrefix(".#")
            || name == "4913" || name.hasPrefix(".dat.nosync") || name.hasPrefix(".goutputstream-") || name.hasSuffix("___jb_tmp___")
            || name.hasSuffix("___jb_old___") || name.hasSuffix(".kate-swp")
    }

    /// How long a burst of saves must have been quiet before it runs: an editor's several writes of
    /// one save come within a few milliseconds, two saves of a burst within 50 ms still give one run,
    /// and a save is shown with its new trace in about 100 ms (Benchmarks: the watch figure).
    static let quietTime = Duration.milliseconds(60)

    static let events = UInt32(IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB)

    init(_ root: String) throws(ConsoleError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw ConsoleError("cannot watch \(root): inotify: \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.root = root
        guard add("") else {
            let why = String(cString: strerror(errno))
            throw ConsoleError("cannot watch \(root): \(why)")
        }
    }

    deinit { close(fd) }

    /// Watches `folder` (relative to the root) and every folder under it; false when the folder
    /// itself cannot be watched.
    @discardableResult
    private func add(_ folder: String) -> Bool {
        let path = folder.isEmpty ? root : root + "/" + folder
        let wd = inotify_add_watch(fd, path, Self.events | UInt32(IN_ONLYDIR))
        guard wd >= 0 else { return false }
        folders[wd] = folder
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where !Self.skippedFolders.contains(name) {
            var info = stat()
            // Not through symbolic links: a link to a folder above would never end.
            guard lstat(path + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            add(folder.isEmpty ? name : folder + "/" + name)
        }
        return true
    }

    /// What each file held when a change last named it (nil: absent), so that events which change
    /// nothing — a save's last events arriving after the quiet time on a busy machine, a `touch`, a
    /// save without edits — start no run.
    private var contents: [String: Int?] = [:]

    /// Waits for a change and returns the files that changed (relative to the root, sorted), once
    /// `quiet` has passed without another event; nil when the task is cancelled (Ctrl-C).
    func next(quiet: Duration) async -> [String]? {
        var changed = pending, made = Set<String>()
        pending = []
        var last: ContinuousClock.Instant? = changed.isEmpty ? nil : .now
        while !Task.isCancelled {
            if readEvents(into: &changed, made: &made) { last = .now }
            if let last, ContinuousClock.now - last >= quiet, !changed.isEmpty {
                let different = changed.filter { path in
                    let now = Self.fingerprint(root + "/" + path)
                    defer { contents[path] = now }
                    return contents[path].map { $0 != now } ?? true
                }
                if !different.isEmpty { return different.sorted() }
                (changed, made) = ([], [])
            }
            // A look every 5 ms; once a burst has begun, no later than the moment its quiet time ends.
            let step = last.map { min(Duration.milliseconds(5), max(.zero, quiet - (ContinuousClock.now - $0))) } ?? .milliseconds(5)
            try? await Task.sleep(for: max(step, .microseconds(200)))
        }
        return nil
    }

    /// Changes `next` returns first: code saved while a run ran (`requeue`).
    private var pending = Set<String>()

    /// The files whose content changed since the last `next` returned (while the run it started
    /// ran), sorted, at once. The caller either `requeue`s them (the next `next` returns them without
    /// waiting) or `ignore`s them.
    func drain() -> [String] {
        var changed = Set<String>(), made = Set<String>()
        _ = readEvents(into: &changed, made: &made)
        return changed.filter { path in contents[path].map { $0 != Self.fingerprint(root + "/" + path) } ?? true }.sorted()
    }

    func requeue(_ files: [String]) { pending.formUnion(files) }

    /// Takes `files` as they are now as seen: they start no run until they change again.
    func ignore(_ files: [String]) {
        for path in files { contents[path] = Self.fingerprint(root + "/" + path) }
    }

    /// A hash of every byte of the file (this process's hasher: only compared within the watch); nil
    /// when it cannot be read. Not `hasher.combine(data)`: Foundation's `Data` hashes only its first
    /// bytes, and an edit further down a file would look like no change.
    static func fingerprint(_ path: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var hasher = Hasher()
        hasher.combine(data.count)
        data.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }

    /// Reads the events waiting; true when one named a file that counts. A file made and gone again
    /// within the burst (an atomic save's temporary file) is no change.
    private func readEvents(into changed: inout Set<String>, made: inout Set<String>) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var any = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { return any }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= count {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.wd, event.mask, Int(event.len))
                }
                let nameStart = offset + MemoryLayout<inotify_event>.size
                let nameBytes = buffer[nameStart..<min(nameStart + length, count)].prefix { $0 != 0 }
                let name = String(decoding: nameBytes, as: UTF8.self)
                offset = nameStart + length
                guard let folder = folders[wd], !name.isEmpty, !Self.isScratch(name), !Self.skippedFolders.contains(name) else { continue }
                let path = folder.isEmpty ? name : folder + "/" + name
                if mask & UInt32(IN_ISDIR) != 0 {
                    if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { add(path) }
                    continue
                }
                any = true
                if mask & UInt32(IN_CREATE) != 0 { made.insert(path) }
                if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0, made.contains(path) {
                    changed.remove(path)
                    continue
                }
                changed.insert(path)
            }
        }
    }
}
