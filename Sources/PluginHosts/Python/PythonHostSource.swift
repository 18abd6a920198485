import PluginSystem

/// The Python host's source: the `.py` files under `host/`, embedded in the binary by SwiftPM, so the
/// console stays one file that installs nothing for Python plugins. `PythonHost` starts
/// `python3 -u -c <bootstrap.py>` and sends `modulesLine` as the first line on the child's stdin;
/// the bootstrap makes those modules importable from memory and runs `dagstack_host.protocol.main`.
enum PythonHostSource {
    static let bootstrap = String(decoding: PackageResources.bootstrap_py, as: UTF8.self)

    /// Module name, the file name its tracebacks show, and its source. Every file of
    /// `host/dagstack_host/` is listed here; `PythonHostSourceTests` checks none is missing.
    static let modules: [(name: String, file: String, source: [UInt8])] = [
        ("dagstack_host", "__init__.py", PackageResources.__init___py),
        ("dagstack_host.awaiting", "awaiting.py", PackageResources.awaiting_py),
        ("dagstack_host.capture", "capture.py", PackageResources.capture_py),
        ("dagstack_host.context", "context.py", PackageResources.context_py),
        ("dagstack_host.contract", "contract.py", PackageResources.contract_py),
        ("dagstack_host.debugger", "debugger.py", PackageResources.debugger_py),
        ("dagstack_host.integrity", "integrity.py", PackageResources.integrity_py),
        ("dagstack_host.loading", "loading.py", PackageResources.loading_py),
        ("dagstack_host.methods", "methods.py", PackageResources.methods_py),
        ("dagstack_host.observation", "observation.py", PackageResources.observation_py),
        ("dagstack_host.protocol", "protocol.py", PackageResources.protocol_py),
        ("dagstack_host.services", "services.py", PackageResources.services_py),
        ("dagstack_host.shim", "shim.py", PackageResources.shim_py),
        ("dagstack_host.sinks", "sinks.py", PackageResources.sinks_py),
        ("dagstack_host.stuck", "stuck.py", PackageResources.stuck_py),
        ("dagstack_host.values", "values.py", PackageResources.values_py),
    ]

    /// `{"module": ["dagstack_host/file.py", source], ...}` and a newline: what the bootstrap reads.
    static let modulesLine: [UInt8] = {
        var object = JSONObject()
        for module in modules {
            object[module.name] = [.string("dagstack_host/" + module.file), .string(String(decoding: module.source, as: UTF8.self))]
        }
        return JSONValue.object(object).encodedBytes() + [0x0A]
    }()
}
