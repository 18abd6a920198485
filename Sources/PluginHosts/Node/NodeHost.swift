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

    public convenience init(directory: String, node: String = "node", esbuild: String = "esbuild", callTimeout: Double = 30) {
        self.init(directory: directory, node: node, esbuild: esbuild, callTimeout: callTimeout, registry: nil)
    }

    init(directory: String, node: String, esbuild: String, callTimeout: Double, registry: WeakRegistry?, spares: SpareInterpreters? = nil) {
        self.node = node
        super.init(
            directory: directory,
            launcher: HostLauncher(
                name: "Node host", id: "node-host", command: [node, "--enable-source-maps", NodeHostSource.cacheFolder() + "/main.mjs"],
                preamble: nil, versionKey: "node", environment: ["DAGSTACK_ESBUILD": esbuild],
                installHint: "JavaScript and TypeScript plugins run in Node: install nodejs (`make run` installs it when the directory has such plugins), or name the program with DAGSTACK_NODE",
                isRuntimeMessage: Self.isInspectorMessage),
            callTimeout: callTimeout, registry: registry, spares: spares)
    }

    /// Writes the host's files first (once; again if the cache was cleared since), then starts it.
    override func start(timeout: Double = 30) throws(DagstackError) {
        _ = try NodeHostSource.install()
        try super.start(timeout: timeout)
    }

    public var nodeVersion: String? { version }

    /// What Node's inspector writes on the process's stderr when it starts (`kill -USR1` on the host,
    /// as the console advises for debugging a Node plugin), when a debugger attaches or leaves, and
    /// when its port is taken: the host's messages, not the output of the plugin whose call runs.
    @Sendable static func isInspectorMessage(_ line: String) -> Bool {
        line.hasPrefix("Debugger listening on ") || line == "Debugger attached." || line.hasPrefix("Debugger ending on ")
            || line == "Waiting for the debugger to disconnect..." || line.hasPrefix("For help, see: https://nodejs.org/")
            || (line.hasPrefix("Starting inspector on ") && line.contains(" failed: "))
    }

    /// Scans a plugin module for module-level mutable state in a Node process of its own.
    public static func scanAmbientState(file: String, node: String, esbuild: String) async -> Result<AmbientStateScan, DagstackError> {
        await NodeHost(directory: FilePath(file).removingLastComponent().string, node: node, esbuild: esbuild).scanAmbientState(file: file)
    }

    /// The module file of a plugin's entry point (or `plugin`) in `folder`, if it has one.
    static func moduleFile(folder: String, entryPoint: String?) -> String? {
        let module = entryPoint.map { String($0.split(separator: ":").first ?? "") } ?? "plugin"
        let stem = folder + "/" + module.replacingOccurrences(of: ".", with: "/")
        return moduleExtensions.map { stem + "." + $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }
}
