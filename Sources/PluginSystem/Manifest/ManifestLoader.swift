import Foundation
import TOMLKit

/// Loads `dagstack.toml` files (the `[plugin]` layout or the flat one) into validated manifests.
/// Every problem is a `ManifestInvalid` that names the file and the key path; TOML syntax errors
/// also give the line and column.
public enum ManifestLoader {
    public static let fileName = "dagstack.toml"

    public static func load(file path: String) throws(DagstackError) -> PluginManifest {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw DagstackError(.manifestInvalid, "Manifest at \(path) is not valid UTF-8 text")
            }
            text = decoded
        } catch let error as DagstackError {
            throw error
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "not found"
            throw DagstackError(.manifestInvalid, "Manifest file \(reason): \(path)")
        }
        return try parse(toml: text, source: path)
    }

    public static func parse(toml text: String, source: String) throws(DagstackError) -> PluginManifest {
        if let bad = TOMLHeaderGuard.check(text) {
            throw DagstackError(
                .manifestInvalid,
                "Malformed TOML at \(source):\(bad.line):\(bad.column): a table name must start with a letter, digit, '_', '-' or a quote")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw DagstackError(
                .manifestInvalid,
                "Malformed TOML at \(source):\(error.source.begin.line):\(error.source.begin.column): \(error.description)")
        } catch {
            throw DagstackError(.manifestInvalid, "Malformed TOML at \(source): \(error)")
        }
        var datePaths: [String] = []
        let root = TOMLConversion.object(table, path: "", datePaths: &datePaths)
        return try validate(root, source: source, datePaths: datePaths)
    }

    /// Validates an already-parsed manifest tree (from TOML, JSON or code).
    public static func validate(_ root: JSONObject, source: String) throws(DagstackError) -> PluginManifest {
        try validate(root, source: source, datePaths: [])
    }

    static let knownKeys: Set<String> = [
        "schema_version", "name", "kind", "kind_api_version", "core_version", "runtime", "version", "description",
        "license", "maintainer", "homepage", "capabilities", "priority", "depends_on", "tryfirst", "trylast",
        "startup_timeout_sec", "teardown_timeout_sec", "supports_languages", "supports_extensions",
        "supports_mime_types", "fallback", "execution_model", "in_process_only", "resources", "unit_of_work",
        "entry_point", "health_check", "command", "env", "working_dir", "url", "endpoint", "auth", "metadata",
        "chain_wrap",
    ]

    static func validate(_ root: JSONObject, source: String, datePaths: [String]) throws(DagstackError) -> PluginManifest {
        let sectioned = root["plugin"]?.objectValue
        let fields = sectioned ?? root
        var schema = ManifestSchema(prefix: sectioned == nil ? "" : "plugin")
        let prefixDot = sectioned == nil ? "" : "plugin."
        for datePath in datePaths where datePath.hasPrefix(prefixDot) && !datePath.hasPrefix(prefixDot + "metadata") {
            schema.fail(String(datePath.dropFirst(prefixDot.count)), "date/time values are not allowed here")
        }
        schema.rejectUnknownKeys(fields, allowed: knownKeys)

        let name = schema.string(fields, "name", required: true)
        let kind = schema.string(fields, "kind", required: true)
        let coreVersion = schema.string(fields, "core_version", required: true)
        let runtime: PluginManifest.Runtime?
        if fields["runtime"] == nil {
            schema.fail("runtime", "field required")
            runtime = nil
        } else {
            runtime = schema.choice(fields, "runtime", as: PluginManifest.Runtime.self)
        }
        var m = PluginManifest(
            name: name ?? "", kind: kind ?? "", runtime: runtime ?? .inProcess, coreVersion: coreVersion ?? "",
            source: source)
        if let v = schema.string(fields, "schema_version") { m.schemaVersion = v }
        if let v = schema.string(fields, "kind_api_version") { m.kindAPIVersion = v }
        m.version = schema.string(fields, "version")
        m.description = schema.string(fields, "description")
        m.license = schema.string(fields, "license")
        m.maintainer = schema.string(fields, "maintainer")
        m.homepage = schema.string(fields, "homepage")
        m.capabilities = schema.stringList(fields, "capabilities") ?? []
        m.priority = schema.int(fields, "priority", minimum: 0) ?? 0
        m.dependsOn = schema.stringList(fields, "depends_on") ?? []
        m.tryfirst = schema.bool(fields, "tryfirst") ?? false
        m.trylast = schema.bool(fields, "trylast") ?? false
        m.startupTimeoutSec = schema.int(fields, "startup_timeout_sec", minimum: 0, exclusive: true) ?? 30
        m.teardownTimeoutSec = schema.int(fields, "teardown_timeout_sec", minimum: 0, exclusive: true) ?? 15
        m.supportsLanguages = schema.stringList(fields, "supports_languages") ?? []
        m.supportsExtensions = schema.stringList(fields, "supports_extensions") ?? []
        m.supportsMimeTypes = schema.stringList(fields, "supports_mime_types") ?? []
        m.fallback = schema.bool(fields, "fallback") ?? false
        m.executionModel = schema.choice(fields, "execution_model", as: PluginManifest.ExecutionModel.self) ?? .sync
        m.inProcessOnly = schema.bool(fields, "in_process_only") ?? false
        m.entryPoint = schema.string(fields, "entry_point")
        m.healthCheck = schema.string(fields, "health_check")
        m.command = schema.stringList(fields, "command")
        m.workingDir = schema.string(fields, "working_dir")
        m.url = schema.string(fields, "url")
        m.endpoint = schema.string(fields, "endpoint")
        m.auth = schema.table(fields, "auth")
        m.metadata = schema.table(fields, "metadata") ?? [:]

        if let env = schema.table(fields, "env") {
            var values: [String: String] = [:]
            for (key, value) in env {
                if case .string(let s) = value { values[key] = s } else {
                    schema.fail("env.\(key)", "expected a string, got \(schema.describe(value))")
                }
            }
            m.env = values
        }
        if let resources = schema.table(fields, "resources") {
            schema.rejectUnknownKeys(resources, allowed: ["required", "optional"], under: "resources")
            m.resources.required = schema.stringList(resources, "required", under: "resources") ?? []
            m.resources.optional = schema.stringList(resources, "optional", under: "resources") ?? []
        }
        if let uow = schema.table(fields, "unit_of_work") {
            let sub = "unit_of_work"
            schema.rejectUnknownKeys(
                uow, allowed: ["declared", "partition_key", "estimated_duration_sec", "idempotency_mode", "checkpointable"],
                under: sub)
            m.unitOfWork.declared = schema.bool(uow, "declared", under: sub) ?? false
            m.unitOfWork.partitionKey = schema.string(uow, "partition_key", under: sub)
            m.unitOfWork.estimatedDurationSec = schema.int(uow, "estimated_duration_sec", minimum: 0, exclusive: true, under: sub)
            m.unitOfWork.idempotencyMode =
                schema.choice(uow, "idempotency_mode", as: PluginManifest.IdempotencyMode.self, under: sub) ?? .none
            m.unitOfWork.checkpointable = schema.bool(uow, "checkpointable", under: sub) ?? false
        }
        if let wrap = schema.table(fields, "chain_wrap") {
            schema.rejectUnknownKeys(wrap, allowed: ["kinds", "hooks"], under: "chain_wrap")
            m.chainWrap = PluginManifest.ChainWrap(
                kinds: schema.stringList(wrap, "kinds", under: "chain_wrap") ?? ["*"],
                hooks: schema.stringList(wrap, "hooks", under: "chain_wrap") ?? ["*"])
        }

        // Cross-field rules of the reference model.
        if m.tryfirst && m.trylast { schema.fail("trylast", "tryfirst and trylast cannot both be true") }
        if runtime == .mcpHttp && m.endpoint == nil && m.url == nil {
            schema.fail("endpoint", "required when runtime is 'mcp_http'")
        }
        if runtime != nil && runtime != .mcpHttp && m.endpoint != nil {
            schema.fail("endpoint", "only allowed when runtime is 'mcp_http'")
        }
        if runtime == .mcpStdio && m.command == nil && (m.entryPoint ?? "").isEmpty {
            schema.fail("command", "required when runtime is 'mcp_stdio' (an argv array, e.g. [\"python3\", \"server.py\"])")
        }
        if let command = m.command, command.isEmpty { schema.fail("command", "must not be empty") }

        guard schema.problems.isEmpty else {
            let details = schema.problems.map { "\($0.path): \($0.message)" }.joined(separator: "; ")
            throw DagstackError(.manifestInvalid, "Invalid manifest at \(source): \(details)", plugin: name)
        }
        return m
    }
}

/// TOML → the runtime's value type. Date and time values have no JSON form; they become ISO
/// strings and their paths are reported so the validator can reject them outside `metadata`.
enum TOMLConversion {
    static func object(_ table: TOMLTable, path: String, datePaths: inout [String]) -> JSONObject {
        var result = JSONObject()
        for key in table.keys {
            guard let value = table[key] else { continue }
            result[key] = convert(value, path: path.isEmpty ? key : "\(path).\(key)", datePaths: &datePaths)
        }
        return result
    }

    static func convert(_ value: any TOMLValueConvertible, path: String, datePaths: inout [String]) -> JSONValue {
        switch value.type {
        case .table: return .object(value.table.map { object($0, path: path, datePaths: &datePaths) } ?? [:])
        case .array:
            guard let array = value.array else { return .array([]) }
            return .array(array.enumerated().map { convert($1, path: "\(path).\($0)", datePaths: &datePaths) })
        case .string: return .string(value.string ?? "")
        case .int: return .int(value.int ?? 0)
        case .double: return .double(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .date, .time, .dateTime:
            datePaths.append(path)
            return .string(value.debugDescription)
        }
    }
}
