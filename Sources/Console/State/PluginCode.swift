import Foundation
import PluginSystem
import SystemPackage

/// Which files of a plugin folder are its code: what "changed on disk since it was loaded", a
/// recording's fingerprint and `watch`'s rule for changes made during a run are about. A plugin that
/// writes into its own folder (a cache, a log, a database) must not make its code look edited.
///
/// The code is the manifest files, the source files (Python, JavaScript, TypeScript, Swift), the
/// files that say how it is built or installed (`package.json`, `tsconfig.json`, `requirements.txt`
/// …) and every file its manifest's `command` names (the program a `mcp_stdio` plugin runs, the
/// script an interpreter in it is given). Any other file — a data file, whatever the plugin writes —
/// is not: the rule is the same at every load, so a recording and its replay fingerprint the same files.
struct PluginCode: Sendable, Equatable {
    static let sourceExtensions: Set<String> = [
        "py", "pyi", "pyx", "pxd", "so", "pth", "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "swift",
    ]
    static let buildFiles: Set<String> =
        Set(ManifestLoader.fileNames).union([
            "package.json", "tsconfig.json", "jsconfig.json", "requirements.txt", "setup.py", "setup.cfg", "Package.swift",
        ])

    /// Files named by the manifest's `command`, relative to the folder.
    var programs: Set<String> = []

    init(programs: Set<String> = []) { self.programs = programs }

    /// The code rule of a plugin loaded from `folder` with `manifest`.
    init(folder: String, manifest: PluginManifest) {
        let base = manifest.workingDir.map { FilePath(folder).pushing(FilePath($0)) } ?? FilePath(folder)
        let root = FilePath(folder).lexicallyNormalized()
        for word in manifest.command ?? [] {
            let named = base.pushing(FilePath(word)).lexicallyNormalized()
            guard named.starts(with: root), named != root else { continue }
            var relative = named
            _ = relative.removePrefix(root)
            if FileManager.default.fileExists(atPath: named.string) { programs.insert(relative.string) }
        }
    }

    /// Whether the file at `relative` (to the plugin folder) is code.
    func isCode(_ relative: String) -> Bool {
        let path = FilePath(relative)
        guard let name = path.lastComponent else { return false }
        if programs.contains(relative) || Self.buildFiles.contains(name.string) { return true }
        return name.extension.map { Self.sourceExtensions.contains($0) } ?? false
    }

    /// The code files of `folder` (relative, sorted).
    func files(in folder: String) -> [String] { Fingerprint.files(in: folder).filter(isCode) }
}
