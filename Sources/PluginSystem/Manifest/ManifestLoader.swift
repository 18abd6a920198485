import Foundation
import TOMLKit

/// Loads manifests into validated `PluginManifest`s: `dagstack.toml` (the `[plugin]` layout or the
/// flat one), `dagstack.json` (the same two layouts) and `pyproject.toml` (`[tool.dagstack.plugin]`).
/// Every problem is a `ManifestInvalid` that names the file and the key path; syntax errors also give
/// the line and column.
public enum ManifestLoader {
    public static let fileName = "dagstack.toml"
    public static let jsonFileName = "dagstack.json"
    public static let pyprojectFileName = "pyproject.toml"
    /// The manifest files a plugin folder may hold, in the order of precedence of
    /// reference/manifest-schema (`dagstack.toml` → `dagstack.json` → embedded in the package).
    public static let fileNames = [fileName, jsonFileName, pyprojectFileName]

    /// The manifest of a plugin folder: the first of `fileNames` it holds (a `pyproject.toml` only
    /// when it has a `[tool.dagstack.plugin]` table), with the manifest files that precedence hid.
    /// Nil when the folder holds none.
    public static func manifestFile(in folder: String) -> (file: String, shadowed: [String])? {
        let present = fileNames.filter { name in
            let path = folder + "/" + name
            guard FileManager.default.fileExists(atPath: path) else { return false }
            return name != pyprojectFileName || declaresPlugin(pyproject: path)
        }
        guard let first = present.first else { return nil }
        return (folder + "/" + first, Array(present.dropFirst()))
    }

    /// Whether `folder` is a plugin folder: the cheap test of the walk, which stops at the first manifest.
    public static func holdsManifest(_ folder: String) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: folder + "/" + fileName) || fm.fileExists(atPath: folder + "/" + jsonFileName)
            || (fm.fileExists(atPath: folder + "/" + pyprojectFileName) && declaresPlugin(pyproject: folder + "/" + pyprojectFileName))
    }

    /// Whether a `pyproject.toml` has a `[tool.dagstack.plugin]` table. A pyproject without one is an
    /// ordinary Python project, not a plugin; one that cannot be parsed is looked at (and reported) as a manifest.
    static func declaresPlugin(pyproject path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { return true }
        guard text.contains("dagstack") else { return false }
        // What toml++ must not see (see TOMLPreflight) is reported when the file is loaded.
        guard TOMLPreflight.check(text) == nil, let table = try? TOMLTable(string: text) else { return true }
        return table["tool"]?.table?["dagstack"]?.table?["plugin"]?.table != nil
    }

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
        if path.hasSuffix("/" + jsonFileName) || path == jsonFileName { return try parse(json: text, source: path) }
        if path.hasSuffix("/" + pyprojectFileName) || path == pyprojectFileName { return try parse(pyproject: text, source: path) }
        return try parse(toml: text, source: path)
    }

    /// `dagstack.json`: `{"plugin": {...}}` or the fields at the top level.
    public static func parse(json text: String, source: String) throws(DagstackError) -> PluginManifest {
        let value: JSONValue
        do { value = try JSONValue.parse(text) } catch {
            throw DagstackError(.manifestInvalid, "Malformed JSON at \(source):\(error.line):\(error.column): \(error.message)")
        }
        guard case .object(let root) = value else {
            throw DagstackError(.manifestInvalid, "Invalid manifest at \(source): expected a JSON object, got \(value.typeName)")
        }
        return try validate(root, source: source, datePaths: [])
    }

    /// `pyproject.toml`: the `[tool.dagstack.plugin]` table (concepts/manifest).
    public static func parse(pyproject text: String, source: String) throws(DagstackError) -> PluginManifest {
        var datePaths: [String] = []
        let root = try tomlObject(text, source: source, datePaths: &datePaths)
        guard let fields = root["tool"]?["dagstack"]?["plugin"]?.objectValue else {
            throw DagstackError(.manifestInvalid, "Invalid manifest at \(source): it does not contain a [tool.dagstack.plugin] table")
        }
        let prefix = "tool.dagstack.plugin"
        return try validate(
            fields: fields, prefix: prefix, source: source,
            datePaths: datePaths.filter { $0.hasPrefix(prefix + ".") }.map { String($0.dropFirst(prefix.count + 1)) })
    }

    public static func parse(toml text: String, source: String) throws(DagstackError) -> PluginManifest {
        var datePaths: [String] = []
        let root = try tomlObject(text, source: source, datePaths: &datePaths)
        return try validate(root, source: source, datePaths: datePaths)
    }

    static func tomlObject(_ text: String, source: String, datePaths: inout [String]) throws(DagstackError) -> JSONObject {
        if let bad = TOMLPreflight.check(text) {
            throw DagstackError(.manifestInvalid, "Malformed TOML at \(source):\(bad.line):\(bad.column): \(bad.message)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            if let open = TOMLUnterminatedString.clarifying(error.description, line: error.source.begin.line, in: text) {
                throw DagstackError(.manifestInvalid, "Malformed TOML at \(source):\(open.line):\(open.column): \(open.message)")
            }
            throw DagstackError(
                .manifestInvalid,
                "Malformed TOML at \(source):\(error.source.begin.line):\(error.source.begin.column): \(error.description)")
        } catch {
            throw DagstackError(.manifestInvalid, "Malformed TOML at \(source): \(error)")
        }
        do { return try TOMLConversion.object(table, path: "", depth: 0, datePaths: &datePaths) } catch let tooDeep {
            throw DagstackError(
                .manifestInvalid,
                "Invalid manifest at \(source): \(tooDeep.path): nested deeper than \(JSONLimits.maxDepth) levels (tables and dotted keys count as levels)")
        }
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
        "entry_point", "health_check", "command", "env", "working_dir", "url", "endpoint", "auth", "headers", "protocol", "tools", "metadata",
        "chain_wrap", "authors", "mcp_stdio", "mcp_http",
    ]

    static func validate(_ root: JSONObject, source: String, datePaths: [String]) throws(DagstackError) -> PluginManifest {
        let sectioned = root["plugin"]?.objectValue
        // In the [plugin] layout nothing else is read: a key above the [plugin] header (or in another
        // table) would be silently lost, which is never what its author meant.
        if let sectioned, root.count > 1 {
            let outside = root.keys.filter { $0 != "plugin" }.map { "'\($0)'" }.joined(separator: ", ")
            throw DagstackError(
                .manifestInvalid,
                "Invalid manifest at \(source): \(outside) outside [plugin] would be ignored; put it under [plugin] (a key written above the [plugin] header is outside it)",
                plugin: sectioned["name"]?.stringValue)
        }
        let prefixDot = sectioned == nil ? "" : "plugin."
        return try validate(
            fields: sectioned ?? root, prefix: sectioned == nil ? "" : "plugin", source: source,
            datePaths: datePaths.filter { $0.hasPrefix(prefixDot) }.map { String($0.dropFirst(prefixDot.count)) })
    }

    /// Validates the manifest's fields; `prefix` is where they sit in the file, for error paths;
    /// `datePaths` are the fields' date/time values, relative to the fields.
    static func validate(fields: JSONObject, prefix: String, source: String, datePaths: [String]) throws(DagstackError) -> PluginManifest {
        var schema = ManifestSchema(prefix: prefix)
        for datePath in datePaths where !datePath.hasPrefix("metadata") {
            schema.fail(datePath, "date/time values are not allowed here")
        }
        schema.rejectUnknownKeys(fields.filter { !$0.key.hasPrefix("x-") }, allowed: knownKeys)

        let name = schema.string(fields, "name", required: true)
        if let name, !PluginManifest.isValidName(name) {
            schema.fail("name", "'\(name)' does not match the name pattern: lower-case letters, digits, '-' and '_' only")
        }
        let kind = schema.string(fields, "kind", required: true)
        let coreVersion = schema.string(fields, "core_version", required: true)
        let runtimes = runtimeList(fields, &schema)
        var m = PluginManifest(
            name: name ?? "", kind: kind ?? "", runtime: runtimes?.first ?? .inProcess, coreVersion: coreVersion ?? "",
            source: source)
        m.runtimes = runtimes ?? [.inProcess]
        if let v = schema.string(fields, "schema_version") { m.schemaVersion = v }
        if let v = schema.string(fields, "kind_api_version") { m.kindAPIVersion = v }
        m.version = schema.string(fields, "version")
        m.description = schema.string(fields, "description")
        m.license = schema.string(fields, "license")
        m.maintainer = schema.string(fields, "maintainer")
        m.homepage = schema.string(fields, "homepage")
        m.authors = schema.stringList(fields, "authors") ?? []
        m.capabilities = schema.stringList(fields, "capabilities") ?? []
        m.priority = schema.int(fields, "priority", minimum: 0) ?? 0
        (m.dependsOn, m.dependencyKinds) = dependencies(fields, &schema)
        m.tryfirst = schema.bool(fields, "tryfirst") ?? false
        m.trylast = schema.bool(fields, "trylast") ?? false
        m.startupTimeoutSec = schema.int(fields, "startup_timeout_sec", minimum: 0, exclusive: true, maximum: TimeLimit.maxSeconds) ?? 30
        m.teardownTimeoutSec = schema.int(fields, "teardown_timeout_sec", minimum: 0, exclusive: true, maximum: TimeLimit.maxSeconds) ?? 15
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
        m.extensions = fields.filter { $0.key.hasPrefix("x-") }

        if let env = schema.table(fields, "env") { m.env = stringMap(env, path: "env", &schema) }
        if let headers = schema.table(fields, "headers") { m.httpHeaders = stringMap(headers, path: "headers", &schema) }
        m.wireProtocol = schema.choice(fields, "protocol", as: PluginManifest.WireProtocol.self) ?? .dagstack
        if let tools = schema.table(fields, "tools") { m.toolHooks = stringMap(tools, path: "tools", &schema) }
        if let resources = schema.table(fields, "resources") {
            schema.rejectUnknownKeys(resources, allowed: ["required", "optional"], under: "resources")
            m.resources.required = schema.stringList(resources, "required", under: "resources") ?? []
            m.resources.optional = schema.stringList(resources, "optional", under: "resources") ?? []
        }
        if let uow = schema.table(fields, "unit_of_work") {
            let sub = "unit_of_work"
            schema.rejectUnknownKeys(
                uow, allowed: ["declared", "partition_key", "estimated_duration_sec", "idempotency_mode", "checkpointable", "content_hash"],
                under: sub)
            m.unitOfWork.declared = schema.bool(uow, "declared", under: sub) ?? false
            m.unitOfWork.partitionKey = schema.string(uow, "partition_key", under: sub)
            m.unitOfWork.estimatedDurationSec = schema.int(uow, "estimated_duration_sec", minimum: 0, exclusive: true, maximum: TimeLimit.maxSeconds, under: sub)
            m.unitOfWork.idempotencyMode =
                schema.choice(uow, "idempotency_mode", as: PluginManifest.IdempotencyMode.self, under: sub) ?? .none
            m.unitOfWork.checkpointable = schema.bool(uow, "checkpointable", under: sub) ?? false
            m.unitOfWork.contentHash = schema.stringList(uow, "content_hash", under: sub) ?? []
        }
        if let wrap = schema.table(fields, "chain_wrap") {
            schema.rejectUnknownKeys(wrap, allowed: ["kinds", "hooks"], under: "chain_wrap")
            m.chainWrap = PluginManifest.ChainWrap(
                kinds: schema.stringList(wrap, "kinds", under: "chain_wrap") ?? ["*"],
                hooks: schema.stringList(wrap, "hooks", under: "chain_wrap") ?? ["*"])
        }

        runtimeSections(fields, into: &m, &schema)

        // Cross-field rules of the reference model; with several runtimes, those of the runtime the
        // host picks are checked when it picks one.
        let only = runtimes?.count == 1 ? runtimes?.first : nil
        if m.tryfirst && m.trylast { schema.fail("trylast", "tryfirst and trylast cannot both be true") }
        if only == .mcpHttp && m.endpoint == nil && m.url == nil {
            schema.fail("endpoint", "required when runtime is 'mcp_http' (or url in [plugin.mcp_http])")
        }
        if let runtimes, !runtimes.contains(.mcpHttp), m.endpoint != nil {
            schema.fail("endpoint", "only allowed when runtime is 'mcp_http'")
        }
        if only == .mcpStdio && m.command == nil && (m.entryPoint ?? "").isEmpty {
            schema.fail("command", "required when runtime is 'mcp_stdio' (an argv array, e.g. [\"python3\", \"server.py\"])")
        }
        if let command = m.command, command.isEmpty { schema.fail("command", "must not be empty") }
        if m.wireProtocol == .mcp, let runtimes, runtimes == [.inProcess] {
            schema.fail("protocol", "'mcp' is a wire: it needs runtime 'mcp_stdio' (a command) or 'mcp_http' (a url)")
        }
        if !m.toolHooks.isEmpty && m.wireProtocol != .mcp { schema.fail("tools", "maps hooks to MCP tools: only with protocol = \"mcp\"") }
        if runtimes?.first == .inProcess, let entry = m.entryPoint, !isEntryPoint(entry) {
            schema.fail("entry_point", "'\(entry)' is not of the form 'module:ClassName' (e.g. \"plugin:MyPlugin\")")
        }

        guard schema.problems.isEmpty else {
            let details = schema.problems.map { "\($0.path): \($0.message)" }.joined(separator: "; ")
            throw DagstackError(.manifestInvalid, "Invalid manifest at \(source): \(details)", plugin: name)
        }
        return m
    }
}

extension ManifestLoader {
    /// `runtime`: one name, or an array of them (reference/manifest-schema); kept in the order the host
    /// tries them, in_process → mcp_stdio → mcp_http. Nil when it is missing or wrong.
    static func runtimeList(_ fields: JSONObject, _ schema: inout ManifestSchema) -> [PluginManifest.Runtime]? {
        guard let value = fields["runtime"] else {
            schema.fail("runtime", "field required")
            return nil
        }
        let allowed = PluginManifest.Runtime.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        switch value {
        case .string:
            return schema.choice(fields, "runtime", as: PluginManifest.Runtime.self).map { [$0] }
        case .array(let items) where !items.isEmpty:
            var chosen: Set<PluginManifest.Runtime> = []
            for (index, item) in items.enumerated() {
                guard let raw = item.stringValue, let runtime = PluginManifest.Runtime(rawValue: raw) else {
                    schema.fail("runtime.\(index)", "must be one of \(allowed), got \(schema.describe(item))")
                    continue
                }
                chosen.insert(runtime)
            }
            let ordered = PluginManifest.Runtime.allCases.filter(chosen.contains)
            return ordered.isEmpty ? nil : ordered
        default:
            schema.fail("runtime", "expected one of \(allowed) or a non-empty array of them, got \(schema.describe(value))")
            return nil
        }
    }

    /// `depends_on`: plugin names, or `{kind, name}` tables (`[[plugin.depends_on]]`), or both mixed.
    static func dependencies(_ fields: JSONObject, _ schema: inout ManifestSchema) -> ([String], [String: String]) {
        guard let value = fields["depends_on"] else { return ([], [:]) }
        guard case .array(let items) = value else {
            schema.fail("depends_on", "expected an array of plugin names or {kind, name} tables, got \(schema.describe(value))")
            return ([], [:])
        }
        var names: [String] = []
        var kinds: [String: String] = [:]
        for (index, item) in items.enumerated() {
            switch item {
            case .string(let name):
                names.append(name)
            case .object(let table):
                let sub = "depends_on.\(index)"
                schema.rejectUnknownKeys(table, allowed: ["kind", "name"], under: sub)
                guard let name = schema.string(table, "name", required: true, under: sub) else { continue }
                names.append(name)
                if let kind = schema.string(table, "kind", under: sub) { kinds[name] = kind }
            default:
                schema.fail("depends_on.\(index)", "expected a plugin name or a {kind, name} table, got \(schema.describe(item))")
            }
        }
        return (names, kinds)
    }

    /// `[plugin.mcp_stdio]` and `[plugin.mcp_http]` (concepts/runtimes): the same settings as the
    /// top-level `command`/`working_dir`/`env` and `url`, grouped per runtime. Giving one both ways is
    /// an error, not a silent choice.
    static func runtimeSections(_ fields: JSONObject, into m: inout PluginManifest, _ schema: inout ManifestSchema) {
        if let stdio = schema.table(fields, "mcp_stdio") {
            let sub = "mcp_stdio"
            schema.rejectUnknownKeys(stdio, allowed: ["command", "working_dir", "env", "startup_timeout_sec"], under: sub)
            func conflict(_ key: String) { schema.fail("\(sub).\(key)", "also set at the top level as '\(key)'; set it in one place") }
            if let command = schema.stringList(stdio, "command", under: sub) {
                if m.command != nil { conflict("command") } else { m.command = command }
            }
            if let dir = schema.string(stdio, "working_dir", under: sub) {
                if m.workingDir != nil { conflict("working_dir") } else { m.workingDir = dir }
            }
            if let env = schema.table(stdio, "env", under: sub) {
                if m.env != nil { conflict("env") } else { m.env = stringMap(env, path: "\(sub).env", &schema) }
            }
            if let limit = schema.int(stdio, "startup_timeout_sec", minimum: 0, exclusive: true, under: sub) {
                if fields["startup_timeout_sec"] != nil { conflict("startup_timeout_sec") } else { m.startupTimeoutSec = limit }
            }
        }
        if let http = schema.table(fields, "mcp_http") {
            let sub = "mcp_http"
            schema.rejectUnknownKeys(
                http, allowed: ["url", "headers", "auth_header", "auth_secret_env", "timeout_sec", "tls_ca_bundle", "tls_verify"], under: sub)
            if let url = schema.string(http, "url", under: sub) {
                if m.url != nil { schema.fail("\(sub).url", "also set at the top level as 'url'; set it in one place") } else { m.url = url }
            }
            if let headers = schema.table(http, "headers", under: sub) {
                if m.httpHeaders != nil {
                    schema.fail("\(sub).headers", "also set at the top level as 'headers'; set it in one place")
                } else {
                    m.httpHeaders = stringMap(headers, path: "\(sub).headers", &schema)
                }
            }
            m.mcpHttp.authHeader = schema.string(http, "auth_header", under: sub)
            m.mcpHttp.authSecretEnv = schema.string(http, "auth_secret_env", under: sub)
            m.mcpHttp.timeoutSec = schema.int(http, "timeout_sec", minimum: 0, exclusive: true, under: sub)
            m.mcpHttp.tlsCABundle = schema.string(http, "tls_ca_bundle", under: sub)
            m.mcpHttp.tlsVerify = schema.bool(http, "tls_verify", under: sub)
        }
    }

    static func stringMap(_ table: JSONObject, path: String, _ schema: inout ManifestSchema) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in table {
            if case .string(let s) = value { values[key] = s } else { schema.fail("\(path).\(key)", "expected a string, got \(schema.describe(value))") }
        }
        return values
    }

    /// `module.path:ClassName`, both parts non-empty (the reference's format rule).
    static func isEntryPoint(_ entry: String) -> Bool {
        let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
    }
}

/// TOML → the runtime's value type. Date and time values have no JSON form; they become ISO
/// strings and their paths are reported so the validator can reject them outside `metadata`.
/// Nesting stops at `JSONLimits.maxDepth`, as for every value the console carries.
enum TOMLConversion {
    struct TooDeep: Error {
        var path: String
    }

    static func object(_ table: TOMLTable, path: String, depth: Int, datePaths: inout [String]) throws(TooDeep) -> JSONObject {
        guard depth < JSONLimits.maxDepth else { throw TooDeep(path: shortened(path)) }
        var result = JSONObject()
        for key in table.keys {
            guard let value = table[key] else { continue }
            result[key] = try convert(value, path: path.isEmpty ? key : "\(path).\(key)", depth: depth + 1, datePaths: &datePaths)
        }
        return result
    }

    static func convert(_ value: any TOMLValueConvertible, path: String, depth: Int, datePaths: inout [String]) throws(TooDeep) -> JSONValue {
        switch value.type {
        case .table:
            guard let table = value.table else { return .object([:]) }
            return .object(try object(table, path: path, depth: depth, datePaths: &datePaths))
        case .array:
            guard let array = value.array else { return .array([]) }
            guard depth < JSONLimits.maxDepth else { throw TooDeep(path: shortened(path)) }
            var items: [JSONValue] = []
            for (index, item) in array.enumerated() {
                items.append(try convert(item, path: "\(path).\(index)", depth: depth + 1, datePaths: &datePaths))
            }
            return .array(items)
        case .string: return .string(value.string ?? "")
        case .int: return .int(value.int ?? 0)
        case .double: return .double(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .date, .time, .dateTime:
            datePaths.append(path)
            return .string(value.debugDescription)
        }
    }

    /// A key path of hundreds of parts, for a message.
    static func shortened(_ path: String) -> String {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count > 12 else { return path }
        return parts.prefix(6).joined(separator: ".") + ".….\(parts.suffix(3).joined(separator: "."))"
    }
}
