import Foundation
import PluginSystem
import SystemPackage

/// The interpreter host for `plugin.py` plugins: `python3 -u -c <bootstrap.py>`, given the host's
/// modules on its first line (see `PythonHostSource`).
public final class PythonHost: InterpreterHost, @unchecked Sendable {
    /// The Python interpreter (`DAGSTACK_PYTHON`, else `python3`).
    public let python: String

    public convenience init(directory: String, python: String = "python3", callTimeout: Double = 30) {
        self.init(directory: directory, python: python, callTimeout: callTimeout, registry: nil)
    }

    init(
        directory: String, python: String, callTimeout: Double, registry: WeakRegistry?,
        debugger: DebuggerAccess = .noTerminal, spares: SpareInterpreters? = nil
    ) {
        self.python = python
        super.init(
            directory: directory,
            launcher: HostLauncher(
                name: "Python host", id: "python-host", command: [python, "-u", "-c", PythonHostSource.bootstrap],
                preamble: PythonHostSource.modulesLine, versionKey: "python"),
            callTimeout: callTimeout, registry: registry, debugger: debugger, spares: spares)
    }

    public var pythonVersion: String? { version }

    /// Scans a plugin module for module-level mutable state in an interpreter of its own.
    public static func scanAmbientState(file: String, python: String) async -> Result<AmbientStateScan, DagstackError> {
        await PythonHost(directory: FilePath(file).removingLastComponent().string, python: python).scanAmbientState(file: file)
    }
}
