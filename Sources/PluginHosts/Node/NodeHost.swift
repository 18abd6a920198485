import Foundation
import PluginSystem
import SystemPackage

/// The interpreter host for JavaScript and TypeScript plugins (`plugin.ts|mts|js|mjs`): one Node
/// process per plugin directory, running the host's `main.mjs` (see `NodeHostSource`). TypeScript is
/// compiled on import with esbuild (`DAGSTACK_ESBUILD`, else `esbuild` on the PATH).
public final class NodeHost: InterpreterHost, @unchecked Sendable {
    /// The node program (`DAGSTACK_NODE`, else `node`).
    public let node: String

    /// The plugin module file extensions, in the order a module's file is looked for.
    public static let moduleExtensions = ["ts", "mts", "js", "mjs"]

    public convenience init(directory: String, node: String = "node", callTimeout: Double = 30) {
        self.init(directory: directory, node: node, callTimeout: callTimeout, registry: nil)
    }

    init(directory: String, node: String, callTimeout: Double, registry: WeakRegistry?) {
        self.node = node
        // The host's files are written on first use; a folder that cannot be written fails the start
        // with that reason (the command then names a file that is not there).
        let main = (try? NodeHostSource.install()) ?? NodeHostSource.cacheFolder() + "/main.mjs"
        super.init(
            directory: directory,
            launcher: HostLauncher(
                name: "Node host", id: "node-host", command: [node, "--enable-source-maps", main], preamble: nil, versionKey: "node"),
            callTimeout: callTimeout, registry: registry)
    }

    public var nodeVersion: String? { version }

    /// Scans a plugin module for module-level mutable state in a Node process of its own.
    public static func scanAmbientState(file: String, node: String) async -> Result<AmbientStateScan, DagstackError> {
        await NodeHost(directory: FilePath(file).removingLastComponent().string, node: node).scanAmbientState(file: file)
    }

    /// The module file of a plugin's entry point (or `plugin`) in `folder`, if it has one.
    static func moduleFile(folder: String, entryPoint: String?) -> String? {
        let module = entryPoint.map { String($0.split(separator: ":").first ?? "") } ?? "plugin"
        let stem = folder + "/" + module.replacingOccurrences(of: ".", with: "/")
        return moduleExtensions.map { stem + "." + $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }
}
