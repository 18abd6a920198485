import Foundation
import OrderedCollections
import Yams

/// The application configuration plugins read their settings from (guides/configuration), with the
/// file format and layering of DagStack/config-python (config-spec ADR-0001): `app-config.yaml`, then
/// `app-config.local.yaml`, then `app-config.${DAGSTACK_ENV}.yaml` beside it, each substituted
/// (`${VAR}`, `${VAR:-default}`) and parsed as YAML 1.2, then deep-merged — maps merge, anything
/// else (lists included) is replaced whole by the higher layer. Each plugin gets the section
/// `<kind>.<name>` as `ctx.config`.
public struct AppConfig: Sendable, Equatable {
    public static let baseFileName = "app-config.yaml"
    public static let environmentVariable = "DAGSTACK_ENV"

    /// The merged tree.
    public var tree: JSONObject
    /// The files read, lowest priority first.
    public var files: [String]
    /// Where each value of the tree came from, by its key path: the layer that set it last (a file
    /// and line, the session). A map lists every layer that added to it.
    public var origins: [[String]: [ConfigOrigin]] = [:]

    public init(tree: JSONObject = [:], files: [String] = []) {
        self.tree = tree
        self.files = files
    }

    /// Merges `layer` over the tree (as `merge` does), each of its values set by `source`.
    public mutating func add(_ layer: JSONObject, from source: ConfigOrigin.Source, lines: [[String]: Int] = [:]) {
        tree = Self.merge(tree, layer)
        note(layer, at: [], source: source, lines: lines)
    }

    private mutating func note(_ object: JSONObject, at prefix: [String], source: ConfigOrigin.Source, lines: [[String]: Int]) {
        for (key, value) in object {
            let path = prefix + [key]
            let origin = ConfigOrigin(source: source, line: lines[path])
            if case .object(let inner) = value {
                // A map replacing a value that was not one starts again.
                if case .object? = Self.value(at: path, in: tree), origins[path]?.isEmpty == false {
                    origins[path]!.append(origin)
                } else {
                    origins[path] = [origin]
                }
                note(inner, at: path, source: source, lines: lines)
            } else {
                // Replaced whole: what lower layers set under it is gone.
                for known in origins.keys where known.count > path.count && Array(known.prefix(path.count)) == path { origins[known] = nil }
                origins[path] = [origin]
            }
        }
    }

    static func value(at path: [String], in tree: JSONObject) -> JSONValue? {
        var current: JSONValue = .object(tree)
        for step in path {
            guard case .object(let object) = current, let next = object[step] else { return nil }
            current = next
        }
        return current
    }

    /// Where the values at `fields` (key paths in the section at `section`) came from, for an error:
    /// `tool.x.port set at plugins/app-config.local.yaml:4; tool.x.url missing from plugins/app-config.yaml:2`.
    /// Fields set in the same place are said together.
    public func whereSet(_ fields: [[String]], section: [String]) -> String {
        var said: [(place: String, fields: [String])] = []
        for field in fields {
            let path = section + field
            let dotted = path.joined(separator: ".")
            let (found, at) = origin(of: path)
            // An item of a list (or a field of a value that is no map) lies in what was set.
            let within = at == path || !(Self.value(at: at, in: tree)?.objectValue != nil)
            let place: String
            if found.isEmpty || (at.count < section.count) {
                place = files.isEmpty ? "not set: no config file was read" : "not set in " + files.joined(separator: ", ")
            } else if within {
                place = "set " + found.map { ($0.source == .session ? "by " : "at ") + $0.description }.joined(separator: ", ")
            } else {
                place = "missing from " + found.map(\.description).joined(separator: ", ")
            }
            if let index = said.firstIndex(where: { $0.place == place }) { said[index].fields.append(dotted) } else { said.append((place, [dotted])) }
        }
        return said.map { $0.fields.joined(separator: ", ") + " " + $0.place }.joined(separator: "; ")
    }

    /// Where the value at `path` came from: the origins of the deepest part of it the config holds
    /// (a list for an item of it, the section for a field it lacks), and that part's path. Empty
    /// when not even its first key is set anywhere.
    public func origin(of path: [String]) -> (origins: [ConfigOrigin], at: [String]) {
        var prefix = path
        while !prefix.isEmpty {
            if let found = origins[prefix] { return (found, prefix) }
            prefix.removeLast()
        }
        return ([], [])
    }

    /// The layers of `base` that exist: the file itself, then `<stem>.local<ext>`, then
    /// `<stem>.<DAGSTACK_ENV><ext>` when the variable is set and not empty.
    public static func layers(of base: String, environment: [String: String]) -> [String] {
        let url = URL(fileURLWithPath: base)
        let ext = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
        let stem = url.deletingPathExtension().path
        var candidates = [base, stem + ".local" + ext]
        if let env = environment[environmentVariable], !env.isEmpty { candidates.append(stem + "." + env + ext) }
        return candidates.enumerated().filter { $0.offset == 0 || FileManager.default.fileExists(atPath: $0.element) }.map(\.element)
    }

    /// Loads and merges `files` (lowest priority first). A file that cannot be read, parsed or
    /// substituted is a `ConfigError` naming it, the line and, for a variable, its name.
    public static func load(_ files: [String], environment: [String: String]) throws(DagstackError) -> AppConfig {
        var config = AppConfig()
        for file in files {
            let (tree, lines, variables) = try loadFile(file, environment: environment)
            config.add(tree, from: .file(file), lines: lines)
            for (path, names) in variables where config.origins[path] != nil {
                config.origins[path] = config.origins[path]!.map { var o = $0; o.variables = names; return o }
            }
            config.files.append(file)
        }
        return config
    }

    /// A file's tree, the line of each key path, and the environment variables each value's line
    /// substitutes (set ones: an unset one gave its default, written in the file).
    static func loadFile(
        _ file: String, environment: [String: String]
    ) throws(DagstackError) -> (tree: JSONObject, lines: [[String]: Int], variables: [[String]: [String]]) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DagstackError(.configError, "Config file \(file) cannot be read (source_unavailable)")
        }
        guard let raw = String(data: data, encoding: .utf8) else {
            throw DagstackError(.configError, "Config file \(file) is not UTF-8 text (parse_error)")
        }
        let text: String
        do { text = try ConfigInterpolation.substitute(raw, environment: environment) } catch {
            let path = (try? Yams.compose(yaml: raw)).flatMap { $0.map { ConfigYAML.path(at: error.line, in: $0) } ?? nil }
            throw DagstackError(
                .configError,
                "Config file \(file):\(error.line):\(error.column)\(path.map { " (\($0))" } ?? ""): env variable '\(error.variable)' is not set and no default provided (env_unresolved); set it, or write ${\(error.variable):-default}")
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw DagstackError(.configError, "Config file \(file): YAML parse error (parse_error): \(error)")
        }
        guard let node else { return ([:], [:], [:]) }
        guard case .object(let tree) = ConfigYAML.value(node) else {
            throw DagstackError(.configError, "Config file \(file): the top level must be a mapping (parse_error)")
        }
        var lines: [[String]: Int] = [:]
        ConfigYAML.lines(of: node, at: [], into: &lines)
        let substituted = ConfigInterpolation.variables(in: raw, environment: environment)
        var variables: [[String]: [String]] = [:]
        for (path, line) in lines { if let names = substituted[line] { variables[path] = names } }
        return (tree, lines, variables)
    }

    /// Deep merge: maps merge key by key; any other value of `higher` replaces `lower`'s.
    public static func merge(_ lower: JSONObject, _ higher: JSONObject) -> JSONObject {
        var result = lower
        for (key, value) in higher {
            if case .object(let low)? = result[key], case .object(let high) = value {
                result[key] = .object(merge(low, high))
            } else {
                result[key] = value
            }
        }
        return result
    }

    /// A plugin's section: `<kind>.<name>` of the tree; `{}` when absent. A section that is not a
    /// mapping is an error naming its path.
    public func section(kind: String, name: String) throws(DagstackError) -> JSONObject {
        guard let byKind = tree[kind] else { return [:] }
        guard case .object(let plugins) = byKind else {
            throw DagstackError(.manifestInvalid, "Config '\(kind)' must be a mapping of plugin sections, got \(byKind.typeName)", plugin: name)
        }
        guard let section = plugins[name] else { return [:] }
        guard case .object(let object) = section else {
            throw DagstackError(.manifestInvalid, "Config section '\(kind).\(name)' must be a mapping, got \(section.typeName)", plugin: name)
        }
        return object
    }

    /// Sets `value` at the dotted `path` (`payment_provider.stripe.timeout_s`), making the maps on the way.
    public static func setting(_ tree: JSONObject, path: [String], to value: JSONValue) -> JSONObject {
        guard let first = path.first else { return tree }
        var result = tree
        if path.count == 1 {
            result[first] = value
        } else {
            let inner = result[first]?.objectValue ?? [:]
            result[first] = .object(setting(inner, path: Array(path.dropFirst()), to: value))
        }
        return result
    }
}

/// YAML as config-spec reads it: YAML 1.2's core schema, strictly — only `true`/`false` are booleans
/// (`yes`, `on` stay strings), `0755` is decimal — and whole-number floats within 2^53 as integers.
enum ConfigYAML {
    static func value(_ node: Node) -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping { object[key.string ?? ""] = self.value(value) }
            return .object(object)
        case .sequence(let sequence):
            return .array(sequence.map(value))
        case .scalar(let scalar):
            return scalar.style == .plain ? plain(scalar.string) : .string(scalar.string)
        case .alias:
            return .null
        }
    }

    static func plain(_ text: String) -> JSONValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN":
            return .string(text)  // JSON has no such numbers
        default: break
        }
        let body = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        let sign = text.hasPrefix("-") ? -1 : 1
        if !body.isEmpty, body.allSatisfy(\.isASCII), body.allSatisfy(\.isNumber), let magnitude = Int(body) {
            return .int(sign * magnitude)
        }
        if text.hasPrefix("0o"), let octal = Int(text.dropFirst(2), radix: 8) { return .int(octal) }
        if text.hasPrefix("0x"), let hex = Int(text.dropFirst(2), radix: 16) { return .int(hex) }
        if text.range(of: #"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil,
            let double = Double(text)
        {
            if double == double.rounded(), abs(double) <= 9_007_199_254_740_991 { return .int(Int(double)) }
            return .double(double)
        }
        return .string(text)
    }

    /// The line (1-based) of every key path of `node`: where its key is written.
    static func lines(of node: Node, at prefix: [String], into found: inout [[String]: Int]) {
        guard case .mapping(let mapping) = node else { return }
        for (key, value) in mapping {
            let path = prefix + [key.string ?? ""]
            if let line = key.mark?.line { found[path] = line }
            lines(of: value, at: path, into: &found)
        }
    }

    /// The dotted path of the scalar on `line` (1-based), for an error message.
    static func path(at line: Int, in node: Node, prefix: String = "") -> String? {
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                let here = prefix.isEmpty ? (key.string ?? "") : "\(prefix).\(key.string ?? "")"
                if let found = path(at: line, in: value, prefix: here) { return found }
            }
        case .sequence(let sequence):
            for (index, item) in sequence.enumerated() {
                if let found = path(at: line, in: item, prefix: "\(prefix)[\(index)]") { return found }
            }
        case .scalar:
            if node.mark?.line == line { return prefix }
        case .alias:
            break
        }
        return nil
    }
}

/// Where a value of the application config came from.
public struct ConfigOrigin: Sendable, Equatable, CustomStringConvertible {
    public enum Source: Sendable, Equatable {
        case file(String)
        /// `config set` in the console's session.
        case session
    }

    public var source: Source
    /// The line of its key in the file.
    public var line: Int?
    /// The environment variables its line substitutes (`${PORT}`).
    public var variables: [String] = []

    public init(source: Source, line: Int? = nil, variables: [String] = []) {
        self.source = source
        self.line = line
        self.variables = variables
    }

    /// `plugins/app-config.yaml:4`, `plugins/app-config.yaml:4 (from $PORT)`, "`config set` in this session".
    public var description: String {
        switch source {
        case .session:
            return "`config set` in this session"
        case .file(let file):
            let place = line.map { "\(file):\($0)" } ?? file
            return variables.isEmpty ? place : place + " (from " + variables.map { "$" + $0 }.joined(separator: ", ") + ")"
        }
    }
}
