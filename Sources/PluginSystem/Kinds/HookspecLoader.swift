import Foundation
import Yams
import SystemPackage

/// Reads kind hookspecs (YAML, ADR-0004) with their JSON schemas. A plugin directory keeps them in
/// `kinds/<kind>/v<MAJOR>.yaml` with schemas beside them (`kinds/<kind>/schemas/*.json`); a plain
/// `kinds/<kind>.yaml` works too. For a kind with several majors the highest is used.
public enum HookspecLoader {
    public struct Failure: Sendable, Equatable {
        public var file: String
        public var error: DagstackError
    }

    public static func loadDirectory(_ directory: String) -> (specs: [KindSpec], failures: [Failure]) {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: directory) else { return ([], []) }
        var files: [String] = []
        for entry in entries.sorted() {
            let path = directory + "/" + entry
            var isDirectory: ObjCBool = false
            _ = fm.fileExists(atPath: path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                let majors = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).compactMap { name -> (Int, String)? in
                    guard name.hasPrefix("v"), name.hasSuffix(".yaml") || name.hasSuffix(".yml"),
                        let major = Int(name.dropFirst().prefix(while: \.isNumber))
                    else { return nil }
                    return (major, name)
                }
                if let newest = majors.max(by: { $0.0 < $1.0 }) { files.append(path + "/" + newest.1) }
            } else if entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
                files.append(path)
            }
        }
        var specs: [KindSpec] = []
        var failures: [Failure] = []
        for file in files {
            do { specs.append(try load(file: file)) } catch { failures.append(Failure(file: file, error: error)) }
        }
        return (specs, failures)
    }

    public static func load(file: String) throws(DagstackError) -> KindSpec {
        func invalid(_ message: String) -> DagstackError {
            DagstackError(.manifestInvalid, "Invalid hookspec at \(file): \(message)")
        }
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw invalid("cannot be read")
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw invalid("malformed YAML: \(error)")
        } catch {
            throw invalid("malformed YAML: \(error)")
        }
        guard let root = node.map(yamlToJSON)?.objectValue else { throw invalid("expected a mapping at the top") }
        guard let kind = root["kind"]?.stringValue, !kind.isEmpty else { throw invalid("kind: field required (a string)") }
        guard let hookList = root["hooks"]?.arrayValue else { throw invalid("hooks: field required (a list)") }
        let folder = FilePath(file).removingLastComponent().string
        var hooks: [HookSpec] = []
        for (index, item) in hookList.enumerated() {
            guard let hook = item.objectValue, let name = hook["name"]?.stringValue else {
                throw invalid("hooks.\(index).name: field required")
            }
            guard let raw = hook["dispatch"]?.stringValue, let dispatch = DispatchClass(rawValue: raw) else {
                let allowed = DispatchClass.allCases.map(\.rawValue).joined(separator: ", ")
                throw invalid("hooks.\(index).dispatch: must be one of \(allowed), got \(hook["dispatch"]?.encoded() ?? "nothing")")
            }
            var spec = HookSpec(name: name, dispatch: dispatch)
            spec.description = hook["description"]?.stringValue
            if case .bool(let exposed)? = hook["mcp_exposed"] { spec.mcpExposed = exposed }
            spec.examples = hook["examples"]?.arrayValue ?? []
            if let raw = hook["error_policy"] {
                guard let name = raw.stringValue, let policy = ErrorPolicy(rawValue: name) else {
                    let allowed = ErrorPolicy.allCases.map(\.rawValue).joined(separator: ", ")
                    throw invalid("hooks.\(index).error_policy: must be one of \(allowed), got \(raw.encoded())")
                }
                guard dispatch == .broadcastCollect else {
                    throw invalid("hooks.\(index).error_policy: only a broadcast_collect hook has an error policy; '\(name)' is \(dispatch.rawValue)")
                }
                spec.errorPolicy = policy
            }
            spec.inputSchemaPath = hook["input_schema"]?.stringValue
            spec.outputSchemaPath = hook["output_schema"]?.stringValue
            spec.inputSchema = try spec.inputSchemaPath.map { (p) throws(DagstackError) in try loadSchema(p, relativeTo: folder, in: file) }
            spec.outputSchema = try spec.outputSchemaPath.map { (p) throws(DagstackError) in try loadSchema(p, relativeTo: folder, in: file) }
            hooks.append(spec)
        }
        var spec = KindSpec(
            kind: kind, kindAPIVersion: root["kind_api_version"]?.stringValue ?? root["kind_api_version"]?.encoded() ?? "1",
            hooks: hooks, source: file)
        spec.description = root["description"]?.stringValue
        return spec
    }

    static func loadSchema(_ relative: String, relativeTo folder: String, in file: String) throws(DagstackError) -> JSONSchema {
        let path = relative.hasPrefix("/") ? relative : folder + "/" + relative
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DagstackError(.manifestInvalid, "Invalid hookspec at \(file): schema file not found: \(path)")
        }
        let root: JSONValue
        do { root = try JSONValue.parse(bytes: [UInt8](data)) } catch {
            throw DagstackError(.manifestInvalid, "Invalid hookspec at \(file): schema \(path) is not valid JSON: \(error)")
        }
        if let (pointer, message) = SchemaCheck.problem(root) {
            throw DagstackError(
                .manifestInvalid, "Invalid hookspec at \(file): schema \(path) is not a valid JSON Schema at \(pointer.isEmpty ? "the top" : pointer): \(message)")
        }
        return JSONSchema(root, source: path)
    }

    /// YAML → the runtime's value type, keeping mapping order; scalars are typed as YAML 1.2's core
    /// schema resolves them.
    static func yamlToJSON(_ node: Node) -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping { object[key.string ?? ""] = yamlToJSON(value) }
            return .object(object)
        case .sequence(let sequence):
            return .array(sequence.map(yamlToJSON))
        case .scalar(let scalar):
            if scalar.style == .plain {
                if node.null != nil { return .null }
                if let b = node.bool { return .bool(b) }
                if let i = node.int { return .int(i) }
                if let d = node.float { return .double(d) }
            }
            return .string(scalar.string)
        case .alias:
            return .null
        }
    }
}
