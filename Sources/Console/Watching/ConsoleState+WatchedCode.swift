import Foundation
import PluginSystem
import SystemPackage

extension ConsoleState {
    /// Of `files` (relative to the loaded directory) changed while a `watch` run ran, those that are
    /// code — a loaded plugin's (`PluginCode`), or the directory's config and resources: a save the
    /// user made meanwhile, which runs again. The others are what the run's plugins wrote into their
    /// folders, and must not start a run (a watch re-running on its plugins' own output never ends).
    func codeAmong(_ files: [String]) -> Set<String> {
        guard let path else { return [] }
        let root = FilePath(URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
        let folders: [(folder: FilePath, code: PluginCode)] = (registry?.records ?? []).compactMap { record in
            guard let folder = record.folder else { return nil }
            let real = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
            return (FilePath(real), PluginCode(folder: real, manifest: record.manifest))
        }
        return Set(files.filter { file in
            let absolute = root.pushing(FilePath(file))
            guard let owner = folders.filter({ absolute.starts(with: $0.folder) }).max(by: { $0.folder.components.count < $1.folder.components.count })
            else { return Self.isDirectoryInput(absolute.lastComponent?.string ?? file) }
            var relative = absolute
            _ = relative.removePrefix(owner.folder)
            return owner.code.isCode(relative.string)
        })
    }

    /// A file of the plugin directory itself that a load reads: the application config and its
    /// layers, the resources.
    static func isDirectoryInput(_ name: String) -> Bool {
        name == "resources.json" || (name.hasPrefix("app-config") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml")))
            || PluginCode().isCode(name)
    }
}
