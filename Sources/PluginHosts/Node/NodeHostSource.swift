import Foundation
import PluginSystem

/// The Node host's source: the `.mjs` files under `host/`, embedded in the binary by SwiftPM, so the
/// console stays one file that installs nothing for JavaScript plugins. Node imports modules from
/// files, so `install()` writes them once into a folder of the user's cache named for their content
/// (stack traces then name real files, which the host leaves out of a plugin's traceback).
enum NodeHostSource {
    /// File name and source of every file of `host/`; `NodeHostSourceTests` checks none is missing.
    static let files: [(name: String, source: [UInt8])] = [
        ("ambient.mjs", PackageResources.ambient_mjs),
        ("capture.mjs", PackageResources.capture_mjs),
        ("config.mjs", PackageResources.config_mjs),
        ("context.mjs", PackageResources.context_mjs),
        ("contract.mjs", PackageResources.contract_mjs),
        ("loader.mjs", PackageResources.loader_mjs),
        ("loading.mjs", PackageResources.loading_mjs),
        ("main.mjs", PackageResources.main_mjs),
        ("observation.mjs", PackageResources.observation_mjs),
        ("plugin-system.mjs", PackageResources.plugin_system_mjs),
        ("stuck.mjs", PackageResources.stuck_mjs),
        ("stuck-worker.mjs", PackageResources.stuck_worker_mjs),
        ("values.mjs", PackageResources.values_mjs),
        ("wire.mjs", PackageResources.wire_mjs),
    ]

    /// A hash of every file (FNV-1a, 64 bits): a changed host gets a folder of its own.
    static let digest: String = {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for file in files {
            for byte in Array(file.name.utf8) + [0] + file.source + [0] {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
        }
        return String(hash, radix: 16)
    }()

    /// The cache folder the host's files go to: `$XDG_CACHE_HOME/dagstack-console` or `~/.cache/...`.
    static func cacheFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache"
        return base + "/dagstack-console/node-host-" + digest
    }

    /// Writes the host's files (when not written yet) and returns the path of `main.mjs`. Written
    /// into a temporary folder renamed into place: whole or not at all, with several consoles starting.
    static func install() throws(DagstackError) -> String {
        let folder = cacheFolder()
        let main = folder + "/main.mjs"
        let manager = FileManager.default
        if manager.fileExists(atPath: main) { return main }
        let temporary = folder + ".\(getpid()).tmp"
        do {
            try? manager.removeItem(atPath: temporary)
            try manager.createDirectory(atPath: temporary, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for file in files { try Data(file.source).write(to: URL(fileURLWithPath: temporary + "/" + file.name)) }
            if rename(temporary, folder) != 0 {
                try? manager.removeItem(atPath: temporary)
                // Another console installed it meanwhile.
                guard manager.fileExists(atPath: main) else { throw CocoaError(.fileWriteUnknown) }
            }
            return main
        } catch {
            try? manager.removeItem(atPath: temporary)
            throw DagstackError(.pluginLoadError, "Cannot write the Node host's files into \(folder): \(error.localizedDescription)")
        }
    }
}
