import PluginHosts
import PluginSystem
import SystemPackage

/// `show PLUGIN`: its manifest, state and error, resources, hooks, and how its code is run.
enum ShowCommand {
    static let usage = "show PLUGIN"

    static let spec = CommandSpec(
        name: "show", usage: usage, summary: "show a plugin's manifest, state, resources and hooks",
        help: """
            Shows everything about one plugin: the manifest fields (defaults included), its state and,
            when it failed, the error with its traceback; the resources it declared and those it was
            granted; the hooks it implements; the entry point (when the manifest names none, which class was
            taken and why) or the process running it; its section of the application config, secrets masked;
            and what it wrote outside its calls (set-up output, what a process wrote between calls).
            """,
        arguments: [.plugin],
        maxWords: 1,
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            let record = try args.plugin(try args.split().first, registry: registry, usage: usage)
            let config = await console.directory?.config ?? AppConfig()
            return Output(record: record, config: (try? config.section(kind: record.kind, name: record.name)) ?? [:], configFiles: config.files)
        })

    /// " (inferred: why)" after an entry point the host chose, "" after one the manifest names.
    static func inferred(_ loaded: InterpreterHost.Loaded) -> String {
        guard loaded.inferred else { return "" }
        return " (inferred: \(loaded.inferredBecause ?? "no entry_point in the manifest"))"
    }

    struct Output: CommandOutput {
        var record: PluginRecord
        /// The plugin's section of the application config (shown masked).
        var config: JSONObject = [:]
        var configFiles: [String] = []

        var manifestJSON: JSONObject {
            let m = record.manifest
            var o: JSONObject = [
                "name": .string(m.name), "kind": .string(m.kind), "runtime": .string(m.runtime.rawValue),
                "priority": .int(m.priority), "core_version": .string(m.coreVersion), "schema_version": .string(m.schemaVersion),
                "kind_api_version": .string(m.kindAPIVersion), "depends_on": .array(m.dependsOn.map(JSONValue.string)),
                "execution_model": .string(m.executionModel.rawValue), "startup_timeout_sec": .int(m.startupTimeoutSec),
                "teardown_timeout_sec": .int(m.teardownTimeoutSec),
                "resources": ["required": .array(m.resources.required.map(JSONValue.string)), "optional": .array(m.resources.optional.map(JSONValue.string))],
            ]
            // As the manifest wrote it: one runtime, or the list the console chose from (the summary's
            // `runtime` is the one in use).
            if m.runtimes.count > 1 { o["runtime"] = .array(m.runtimes.map { .string($0.rawValue) }) }
            if let v = m.version { o["version"] = .string(v) }
            if let v = m.description { o["description"] = .string(v) }
            if !m.authors.isEmpty { o["authors"] = .array(m.authors.map(JSONValue.string)) }
            if let v = m.license { o["license"] = .string(v) }
            if let v = m.maintainer { o["maintainer"] = .string(v) }
            if let v = m.homepage { o["homepage"] = .string(v) }
            if let v = m.entryPoint { o["entry_point"] = .string(v) }
            if let v = m.command { o["command"] = .array(v.map(JSONValue.string)) }
            if let v = m.env { o["env"] = .object(JSONObject(uniqueKeysWithValues: v.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })) }
            if let v = m.workingDir { o["working_dir"] = .string(v) }
            if let w = m.chainWrap { o["chain_wrap"] = ["kinds": .array(w.kinds.map(JSONValue.string)), "hooks": .array(w.hooks.map(JSONValue.string))] }
            if !m.capabilities.isEmpty { o["capabilities"] = .array(m.capabilities.map(JSONValue.string)) }
            if !m.supportsLanguages.isEmpty { o["supports_languages"] = .array(m.supportsLanguages.map(JSONValue.string)) }
            if !m.supportsExtensions.isEmpty { o["supports_extensions"] = .array(m.supportsExtensions.map(JSONValue.string)) }
            if !m.supportsMimeTypes.isEmpty { o["supports_mime_types"] = .array(m.supportsMimeTypes.map(JSONValue.string)) }
            o["fallback"] = .bool(m.fallback)
            if !m.dependencyKinds.isEmpty {
                o["depends_on_kinds"] = .object(JSONObject(uniqueKeysWithValues: m.dependencyKinds.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
            }
            let uow = m.unitOfWork
            if uow != PluginManifest.UnitOfWork() {
                var u: JSONObject = ["declared": .bool(uow.declared), "idempotency_mode": .string(uow.idempotencyMode.rawValue), "checkpointable": .bool(uow.checkpointable)]
                if let v = uow.partitionKey { u["partition_key"] = .string(v) }
                if let v = uow.estimatedDurationSec { u["estimated_duration_sec"] = .int(v) }
                if !uow.contentHash.isEmpty { u["content_hash"] = .array(uow.contentHash.map(JSONValue.string)) }
                o["unit_of_work"] = .object(u)
            }
            if m.runtimes.contains(.mcpStdio) {
                var h: JSONObject = ["startup_timeout_sec": .int(m.startupTimeoutSec)]
                if let v = m.command { h["command"] = .array(v.map(JSONValue.string)) }
                if let v = m.workingDir { h["working_dir"] = .string(v) }
                if let v = m.env { h["env"] = .object(JSONObject(uniqueKeysWithValues: v.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })) }
                o["mcp_stdio"] = .object(h)
            }
            for (key, value) in m.extensions { o[key] = value }
            if m.runtimes.contains(.mcpHttp) {
                var h: JSONObject = [:]
                if let v = m.url ?? m.endpoint { h["url"] = .string(HTTPPlugin.displayURL(v)) }
                // The token is never shown: only that there is one.
                if m.auth != nil { h["auth"] = .string("bearer token \(SecretMask.placeholder)") }
                if let v = m.httpHeaders {
                    h["headers"] = .object(JSONObject(uniqueKeysWithValues: v.sorted { $0.key < $1.key }.map {
                        ($0.key, .string(HTTPPlugin.isSecretHeader($0.key) ? SecretMask.placeholder : $0.value))
                    }))
                }
                if let v = m.mcpHttp.authHeader { h["auth_header"] = .string(v) }
                if let v = m.mcpHttp.authSecretEnv { h["auth_secret_env"] = .string(v) }
                if let v = m.mcpHttp.timeoutSec { h["timeout_sec"] = .int(v) }
                if let v = m.mcpHttp.tlsCABundle { h["tls_ca_bundle"] = .string(v) }
                if let v = m.mcpHttp.tlsVerify { h["tls_verify"] = .bool(v) }
                o["mcp_http"] = .object(h)
            }
            if !m.metadata.isEmpty { o["metadata"] = .object(m.metadata) }
            o["source"] = .string(m.source)
            return o
        }

        var code: JSONObject {
            switch record.instance {
            case let python as PythonPlugin:
                return ["host": "python", "entry_point": .string(python.loaded.entryPoint), "inferred": .bool(python.loaded.inferred),
                        "inferred_because": python.loaded.inferredBecause.map(JSONValue.string) ?? .null,
                        "class": .string(python.loaded.className), "pid": python.host.pid.map { .int(Int($0)) } ?? .null,
                        "python": python.host.pythonVersion.map(JSONValue.string) ?? .null]
            case let node as NodePlugin:
                return ["host": "node", "entry_point": .string(node.loaded.entryPoint), "inferred": .bool(node.loaded.inferred),
                        "inferred_because": node.loaded.inferredBecause.map(JSONValue.string) ?? .null,
                        "class": .string(node.loaded.className), "module_file": node.loaded.moduleFile.map(JSONValue.string) ?? .null,
                        "pid": node.host.pid.map { .int(Int($0)) } ?? .null, "node": node.host.nodeVersion.map(JSONValue.string) ?? .null]
            case let stdio as StdioPlugin:
                return ["host": "stdio", "command": .array(stdio.command.map(JSONValue.string)),
                        "pid": stdio.pid.map { .int(Int($0)) } ?? .null, "server_info": stdio.serverInfo ?? .null]
            case let mcp as MCPPlugin:
                return ["host": "mcp", "transport": mcp.transportDescription.map(JSONValue.string) ?? .null,
                        "pid": mcp.pid.map { .int(Int($0)) } ?? .null, "server_info": mcp.serverInfo ?? .null,
                        "protocol_version": mcp.negotiatedVersion.map(JSONValue.string) ?? .null,
                        "tools": .array(mcp.tools.map { entry in
                            var tool: JSONObject = ["hook": .string(entry.hook), "tool": .string(entry.tool.name), "inputSchema": entry.tool.inputSchema]
                            if let d = entry.tool.description { tool["description"] = .string(d) }
                            if let o = entry.tool.outputSchema { tool["outputSchema"] = o }
                            return .object(tool)
                        })]
            case let http as HTTPPlugin:
                return ["host": "http", "endpoint": .string(http.endpoint), "server_info": http.serverInfo ?? .null]
            case nil:
                return ["host": "none"]
            default:
                return ["host": "swift"]
            }
        }

        var json: JSONObject {
            var o = PluginJSON.summary(record)
            o["manifest"] = .object(manifestJSON)
            o["granted_resources"] = .array(record.resources.names.map(JSONValue.string))
            o["config"] = .object(SecretMask.masked(config))
            o["hooks"] = record.instance?.hookNames.map { .array($0.map(JSONValue.string)) } ?? .null
            o["code"] = .object(code)
            o["output"] = PhaseOutputText.json(record.instance?.phaseOutput ?? [])
            return o
        }

        func text(_ style: TextStyle) -> String {
            var lines = [style.bold(record.name) + "  " + style.state(record.state.name)]
            if case .failed(let error) = record.state { lines.append(ErrorJSON.text(error, style, indent: "  ")) }
            else if let reason = record.state.reason { lines.append("  " + style.dim(reason)) }
            for (key, value) in manifestJSON {
                lines.append("  " + style.dim(pad(key, 22)) + (value.stringValue ?? value.encoded()))
            }
            if record.priorityOverride != nil { lines.append("  " + style.dim(pad("priority (override)", 22)) + "\(record.priority)") }
            lines.append("  " + style.dim(pad("granted resources", 22)) + (record.resources.names.isEmpty ? "none" : record.resources.names.joined(separator: ", ")))
            lines.append("  " + style.dim(pad("config", 22)) + (config.isEmpty ? "{}" : JSONValue.object(SecretMask.masked(config)).encoded())
                + style.dim(" (\(record.kind).\(record.name)\(configFiles.isEmpty ? "" : " of " + configFiles.joined(separator: " → ")))"))
            lines.append("  " + style.dim(pad("hooks", 22)) + (record.instance?.hookNames?.joined(separator: ", ") ?? "not known"))
            var codeLine = ""
            switch record.instance {
            case let python as PythonPlugin:
                codeLine = "Python \(python.loaded.entryPoint)" + ShowCommand.inferred(python.loaded)
                if let pid = python.host.pid { codeLine += ", interpreter pid \(pid)" }
                if let version = python.host.pythonVersion { codeLine += ", Python \(version)" }
            case let node as NodePlugin:
                let file = node.loaded.moduleFile.map { FilePath($0).lastComponent?.string ?? $0 } ?? "plugin"
                let language = file.hasSuffix("ts") ? "TypeScript" : "JavaScript"
                codeLine = "\(language) \(node.loaded.entryPoint)" + ShowCommand.inferred(node.loaded)
                if let pid = node.host.pid { codeLine += ", Node pid \(pid)" }
                if let version = node.host.nodeVersion { codeLine += ", Node \(version)" }
            case let stdio as StdioPlugin:
                codeLine = "stdio process " + stdio.command.joined(separator: " ") + (stdio.pid.map { ", pid \($0)" } ?? ", not running")
            case let mcp as MCPPlugin:
                codeLine = "MCP server, " + (mcp.transportDescription ?? "not running")
                    + (mcp.serverInfo.map { ", serverInfo \($0.encoded())" } ?? "") + (mcp.negotiatedVersion.map { ", protocol \($0)" } ?? "")
            case let http as HTTPPlugin:
                codeLine = "HTTP service at \(http.endpoint)" + (http.serverInfo.map { ", server_info \($0.encoded())" } ?? "")
            case nil: codeLine = "not bound to code"
            default: codeLine = "Swift"
            }
            lines.append("  " + style.dim(pad("code", 22)) + codeLine)
            if let mcp = record.instance as? MCPPlugin {
                for (hook, tool) in mcp.tools {
                    let served = hook == tool.name ? "" : "(tool \(tool.name)) "
                    lines.append("  " + style.dim(pad("tool \(hook)", 22)) + served + (tool.description ?? ""))
                    lines.append("  " + style.dim(pad("  inputSchema", 22)) + tool.inputSchema.encoded())
                    if let output = tool.outputSchema { lines.append("  " + style.dim(pad("  outputSchema", 22)) + output.encoded()) }
                }
            }
            if let folder = record.folder { lines.append("  " + style.dim(pad("folder", 22)) + folder) }
            lines += PhaseOutputText.lines(record.instance?.phaseOutput ?? [], style, indent: "  ")
            return lines.joined(separator: "\n")
        }
    }
}
