import Foundation
import PluginSystem

/// What each plugin's code (`PluginCode`) was when it was loaded, so the console can say when the
/// code that runs is no longer the code on disk (a file saved without `reload`), and a recording's
/// header can name the code its results came from. Files the plugin writes into its folder are not
/// its code: they never make it look edited.
struct LoadedCode: Sendable {
    struct Folder: Sendable {
        var folder: String
        var code: PluginCode
        /// Every code file's path, size and modification time as loaded: cheap to take at every load and
        /// to compare with disk (the files' contents are read only when a recording needs them).
        var stamp: [FileStamp]
    }

    struct FileStamp: Sendable, Equatable {
        var path: String
        var size: Int64
        var modified: Int64
    }

    private(set) var plugins: [String: Folder] = [:]

    init() {}

    /// The folders of `registry`'s plugins as they are on disk now.
    init(_ registry: PluginRegistry) {
        for record in registry.records {
            // A plugin folder may be a symbolic link (an example directory sharing another's plugins).
            guard let folder = record.folder.map({ URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }) else { continue }
            let code = PluginCode(folder: folder, manifest: record.manifest)
            plugins[record.name] = Folder(folder: folder, code: code, stamp: Self.stamp(folder, code.files(in: folder)))
        }
    }

    /// The plugins whose files changed on disk since they were loaded, by name.
    func edited() -> [String] {
        plugins.filter { _, loaded in Self.isEdited(loaded) }.keys.sorted()
    }

    static func isEdited(_ loaded: Folder) -> Bool { stamp(loaded.folder, loaded.code.files(in: loaded.folder)) != loaded.stamp }

    /// What a recording's header says of the code `plugin` runs: its folder's fingerprint while the
    /// files are as loaded, else a mark no folder's fingerprint equals (its replay then names it as
    /// changed). Nil for a plugin not loaded from a folder.
    func fingerprint(of plugin: String) -> String? {
        guard let loaded = plugins[plugin] else { return nil }
        return Self.isEdited(loaded) ? Self.editedMark : Fingerprint.of(folder: loaded.folder, code: loaded.code)
    }

    static let editedMark = "edited-since-load"

    static func stamp(_ folder: String, _ files: [String]) -> [FileStamp] {
        files.map { relative in
            var info = stat()
            guard stat(folder + "/" + relative, &info) == 0 else { return FileStamp(path: relative, size: -1, modified: 0) }
            return FileStamp(path: relative, size: Int64(info.st_size), modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
        }
    }

    /// What the console says next to a command that ran plugins edited since they were loaded.
    static func warning(_ edited: [String]) -> String {
        let names = edited.map { "'\($0)'" }.joined(separator: ", ")
        return edited.count == 1
            ? "plugin \(names) changed on disk since it was loaded: this ran the code loaded before (`reload` runs what is on disk)"
            : "plugins \(names) changed on disk since they were loaded: this ran the code loaded before (`reload` runs what is on disk)"
    }
}
