import Foundation
import PluginSystem

// Lists what a plugin directory holds: plugins in set-up order, folders skipped with their reason,
// and the kinds' hookspecs.
let directory = CommandLine.arguments.dropFirst().first ?? "plugins"
do {
    let result = try Discovery.discover(directory)
    print("\(result.plugins.count) plugin(s) in \(directory) (set-up order):")
    for plugin in result.plugins {
        let m = plugin.manifest
        print("  \(m.name)  kind=\(m.kind)  priority=\(m.priority)  runtime=\(m.runtime.rawValue)")
    }
    for skipped in result.skipped {
        print("  skipped \(skipped.folder): \(skipped.error)")
    }
    let (specs, failures) = HookspecLoader.loadDirectory(directory + "/kinds")
    for spec in specs {
        print("kind \(spec.kind): " + spec.hooks.values.map { "\($0.name) (\($0.dispatch.rawValue))" }.joined(separator: ", "))
    }
    for failure in failures { print("  skipped hookspec \(failure.file): \(failure.error)") }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
