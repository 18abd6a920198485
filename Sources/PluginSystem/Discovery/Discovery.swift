import Foundation
import Synchronization
import SystemPackage

/// One plugin folder found by discovery: its manifest and where it lives. The host binds each
/// entry to an instance (as in the Go binding's `Discover` + `RegisterManifest`).
public struct DiscoveredPlugin: Sendable, Equatable {
    public var manifest: PluginManifest
    public var folder: String

    public init(manifest: PluginManifest, folder: String) {
        self.manifest = manifest
        self.folder = folder
    }
}

/// A folder that looked like a plugin but was skipped, and why, so a user can see why a plugin is
/// missing instead of guessing.
public struct SkippedFolder: Sendable, Equatable {
    public var folder: String
    public var error: DagstackError
}

public struct DiscoveryResult: Sendable {
    /// Valid plugins in set-up (topological) order.
    public var plugins: [DiscoveredPlugin]
    public var skipped: [SkippedFolder]
    /// Folders scanned that held a manifest.
    public var scanned: Int
    /// What a user should know that is not an error: a manifest file another one took precedence over.
    public var warnings: [String] = []
}

/// Walks a plugin directory the way the reference does (spec-notes §3): the leaf rule, a sorted
/// walk, fnmatch ignore patterns on folder names, continue-on-failure for broken manifests,
/// fail-fast on duplicate names and dependency cycles.
public enum Discovery {
    /// A bound on one walk: loading `/` by mistake ends with a report, not an hour of disk I/O.
    public static let maxFoldersWalked = 100_000

    /// The reference's default list plus `venv`, which its docs list and its code forgets (D22).
    public static let defaultIgnore: [String] = [
        "__pycache__", ".venv", ".venv-*", "venv", ".tox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
        "*.egg-info", "build", "dist", ".git", ".hg", ".svn", "node_modules",
    ]

    public static func discover(
        _ path: String, recursive: Bool = true, ignore: [String] = []
    ) throws(DagstackError) -> DiscoveryResult {
        let root = FilePath(expandingTilde: path).string
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else {
            throw DagstackError(.pluginLoadError, "discover path does not exist: \(path)")
        }
        guard isDirectory.boolValue else {
            throw DagstackError(.pluginLoadError, "discover path is not a directory: \(path)")
        }
        let patterns = defaultIgnore + ignore
        var folders: [String] = []
        var skipped: [SkippedFolder] = []
        if ManifestLoader.manifestFile(in: root) != nil {
            folders = [root]
        } else if recursive {
            var walker = Walker(patterns: patterns)
            if case .unusable(let name, let reason) = walker.manifestState(root) {
                walker.skip(root, "\(root)/\(name) \(reason)")
            }
            walker.run(root)
            folders = walker.folders.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            skipped = walker.skipped
        }

        var plugins: [DiscoveredPlugin] = []
        var warnings: [String] = []
        let files = folders.map { ManifestLoader.manifestFile(in: $0) }
        for case let (file, shadowed)? in files where !shadowed.isEmpty {
            let folder = FilePath(file).removingLastComponent().string
            warnings.append("\(folder): \(shadowed.joined(separator: ", ")) ignored: \(FilePath(file).lastComponent?.string ?? file) takes precedence (reference/manifest-schema)")
        }
        for (folder, loaded) in zip(folders, loadManifests(files.map { $0?.file ?? "" })) {
            switch loaded {
            case .success(let manifest): plugins.append(DiscoveredPlugin(manifest: manifest, folder: folder))
            case .failure(let error): skipped.append(SkippedFolder(folder: folder, error: error))
            }
        }

        var firstFolder: [String: String] = [:]
        for plugin in plugins {
            if let first = firstFolder[plugin.manifest.name] {
                throw DagstackError(
                    .manifestInvalid,
                    "Duplicate plugin name '\(plugin.manifest.name)': found at \(plugin.folder) and \(first) (plugin names are unique across kinds here, as in the reference and ADR-0006: commands name plugins; concepts/discovery allows one per kind — docs/runtime.md)",
                    plugin: plugin.manifest.name)
            }
            firstFolder[plugin.manifest.name] = plugin.folder
        }

        let order = try TopologicalOrder.sort(plugins.map(\.manifest))
        let byName = Dictionary(uniqueKeysWithValues: plugins.map { ($0.manifest.name, $0) })
        skipped.sort { $0.folder.utf8.lexicographicallyPrecedes($1.folder.utf8) }
        return DiscoveryResult(plugins: order.map { byName[$0.name]! }, skipped: skipped, scanned: folders.count, warnings: warnings)
    }

    /// Each manifest file, in the given order. Reading and parsing them is most of discovery's time
    /// and each is independent of the others: large directories use every core.
    static func loadManifests(_ files: [String]) -> [Result<PluginManifest, DagstackError>] {
        let load = { @Sendable (file: String) in
            Result { () throws(DagstackError) in try ManifestLoader.load(file: file) }
        }
        guard files.count >= 32 else { return files.map(load) }
        let results = Mutex([Result<PluginManifest, DagstackError>?](repeating: nil, count: files.count))
        let workers = ProcessInfo.processInfo.activeProcessorCount
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: files.count, by: workers) {
                let loaded = load(files[index])
                results.withLock { $0[index] = loaded }
            }
        }
        return results.withLock { $0.map { $0! } }
    }
}

/// One walk of a plugin directory: depth-first over sorted children. A folder holding a manifest
/// (`dagstack.toml`, `dagstack.json`, a `pyproject.toml` with `[tool.dagstack.plugin]`) is a plugin and is not descended into. Each real directory is walked once, however
/// many ways lead to it: a symbolic link to a folder already walked (a loop such as `self -> .`, or
/// a second way in such as `a/tob -> ../b`) is skipped and reported, as is a link that cannot be
/// followed and a manifest that is there but unusable. Virtual file systems (/proc, /sys) hold no
/// plugins and are not walked.
struct Walker {
    struct DirectoryID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    let patterns: [String]
    var folders: [String] = []
    var skipped: [SkippedFolder] = []
    /// Every real directory walked or taken as a plugin, with the path it was first reached by.
    var seen: [DirectoryID: String] = [:]
    var walked = 0

    init(patterns: [String]) { self.patterns = patterns }

    mutating func skip(_ folder: String, _ reason: String) {
        skipped.append(SkippedFolder(folder: folder, error: DagstackError(.pluginLoadError, reason)))
    }

    /// Iterative, so that a tree thousands of folders deep cannot exhaust a thread's stack.
    mutating func run(_ root: String) {
        var rootStat = stat()
        guard stat(root, &rootStat) == 0 else { return }
        seen[DirectoryID(device: UInt64(rootStat.st_dev), inode: UInt64(rootStat.st_ino))] = root
        var pending: [(path: String, device: UInt64)] = [(root, UInt64(rootStat.st_dev))]
        while let (directory, device) = pending.popLast() {
            walked += 1
            if walked > Discovery.maxFoldersWalked {
                skip(directory, "Not walked: the walk stopped after \(Discovery.maxFoldersWalked) folders (is this the right plugin directory?)")
                return
            }
            let children: [String]
            do {
                children = try FileManager.default.contentsOfDirectory(atPath: directory)
            } catch {
                skip(directory, "Cannot read directory \(directory): \(Self.reason(of: error))")
                continue
            }
            var next: [(String, UInt64)] = []
            for name in children.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                let child = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                guard let id = directoryID(child, name: name) else { continue }
                if let first = seen[id] {
                    let loop = child.hasPrefix(first.hasSuffix("/") ? first : first + "/")
                    skip(child, "Not walked: \(child) leads to \(first), which is walked already\(loop ? " (a symlink loop)" : "")")
                    continue
                }
                seen[id] = child
                if id.device != device, let virtual = Self.virtualFileSystem(child) {
                    skip(child, "Not walked: \(child) is a \(virtual) file system, which holds no plugins")
                    continue
                }
                switch manifestState(child) {
                case .present: folders.append(child)
                case .absent: next.append((child, id.device))
                case .unusable(let name, let reason):
                    skip(child, "\(child)/\(name) \(reason)")
                }
            }
            pending += next.reversed()
        }
    }

    /// The directory a child entry is (following a symbolic link), nil for anything else. A link
    /// that cannot be followed is reported; ignored folder names are left alone.
    mutating func directoryID(_ path: String, name: String) -> DirectoryID? {
        var link = stat()
        guard lstat(path, &link) == 0 else { return nil }
        let isLink = (link.st_mode & S_IFMT) == S_IFLNK
        guard isLink || (link.st_mode & S_IFMT) == S_IFDIR else { return nil }
        if patterns.contains(where: { Glob.matches(pattern: $0, name: name) }) { return nil }
        var target = stat()
        guard stat(path, &target) == 0 else {
            let reason = String(cString: strerror(errno))
            skip(path, "Not walked: \(path) is a symbolic link to \(Self.linkTarget(path)) that cannot be followed (\(reason))")
            return nil
        }
        guard (target.st_mode & S_IFMT) == S_IFDIR else { return nil }
        return DirectoryID(device: UInt64(target.st_dev), inode: UInt64(target.st_ino))
    }

    enum ManifestState {
        case present, absent
        /// The manifest's file name and why it cannot be used.
        case unusable(String, String)
    }

    /// Whether `folder` holds a manifest (see `ManifestLoader.fileNames`), telling "none" from one
    /// that is there but unusable (a looping or dangling symbolic link, a folder that cannot be
    /// entered): the unusable one is reported with its own file name.
    func manifestState(_ folder: String) -> ManifestState {
        if ManifestLoader.holdsManifest(folder) { return .present }
        for name in ManifestLoader.fileNames {
            let file = folder + "/" + name
            var info = stat()
            if stat(file, &info) == 0 {
                if (info.st_mode & S_IFMT) == S_IFDIR { return .unusable(name, "is a directory") }
                continue  // a pyproject.toml of an ordinary Python project
            }
            let error = errno
            var link = stat()
            if lstat(file, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK {
                return .unusable(name, "is a symbolic link to \(Self.linkTarget(file)) that cannot be followed (\(String(cString: strerror(error))))")
            }
            if error == ENOENT { continue }
            if error == EACCES && access(folder, X_OK) != 0 {
                return .unusable(name, "cannot be checked: the folder cannot be entered (permission denied)")
            }
            return .unusable(name, "cannot be read (\(String(cString: strerror(error))))")
        }
        return .absent
    }

    static func linkTarget(_ path: String) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
    }

    static func reason(of error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let code = underlying?.code, underlying?.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(code))) }
        return error.localizedDescription
    }

    /// The name of a virtual file system mounted at `path` (proc, sysfs, …), nil for a real one.
    /// Asked only where the device changes, i.e. at a mount point.
    static func virtualFileSystem(_ path: String) -> String? {
        guard let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        return virtualMounts[String(cString: real)]
    }

    /// Mount points of virtual file systems, from /proc/self/mounts (empty where it cannot be read).
    static let virtualMounts: [String: String] = {
        let virtual: Set<String> = [
            "proc", "sysfs", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs", "bpf", "pstore", "devpts", "configfs",
            "fusectl", "mqueue", "binfmt_misc", "devtmpfs", "hugetlbfs", "autofs",
        ]
        guard let text = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return [:] }
        var mounts: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 2, virtual.contains(String(fields[2])) else { continue }
            // Spaces and other characters in mount points are written as octal escapes (\040).
            mounts[String(fields[1]).replacingOccurrences(of: "\\040", with: " ")] = String(fields[2])
        }
        return mounts
    }()
}
