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
            var visited: Set<String> = []
            walk(root, patterns: patterns, into: &folders, skipped: &skipped, visited: &visited)
            folders.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
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
                    "Duplicate plugin name '\(plugin.manifest.name)': found at \(plugin.folder) and \(first)",
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

    /// Depth-first over sorted children. A folder holding a manifest (`dagstack.toml`,
    /// `dagstack.json`, or a `pyproject.toml` with `[tool.dagstack.plugin]`) is a plugin and is not
    /// descended into. Symlinked folders are followed, but a folder already visited (a symlink loop)
    /// is reported once and not walked again.
    static func walk(
        _ directory: String, patterns: [String], into folders: inout [String], skipped: inout [SkippedFolder],
        visited: inout Set<String>
    ) {
        let real = FilePath(directory).resolvingSymlinks.string
        guard visited.insert(real).inserted else {
            skipped.append(SkippedFolder(
                folder: directory,
                error: DagstackError(.pluginLoadError, "Not walked: \(directory) leads back to \(real) (symlink loop)")))
            return
        }
        let children: [String]
        do {
            children = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            skipped.append(SkippedFolder(
                folder: directory, error: DagstackError(.pluginLoadError, "Cannot read directory \(directory): \(error.localizedDescription)")))
            return
        }
        for name in children.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let child = directory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: child, isDirectory: &isDirectory), isDirectory.boolValue else {
                continue
            }
            if patterns.contains(where: { Glob.matches(pattern: $0, name: name) }) { continue }
            if ManifestLoader.holdsManifest(child) {
                folders.append(child)
            } else {
                walk(child, patterns: patterns, into: &folders, skipped: &skipped, visited: &visited)
            }
        }
    }
}
