import OrderedCollections
import Foundation

/// One way a value fails a schema: where (an RFC 6901 pointer), what was expected, what came.
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var expected: String
    public var received: String
    public var description: String {
        "\(path.isEmpty ? "value" : path): expected \(expected), got \(received)"
    }
}

/// The part of JSON Schema (2020-12) that kind hookspecs use: `type`, `properties`, `required`,
/// `additionalProperties`, `items`, `prefixItems`, `enum`, `const`, string/number/array bounds,
/// `pattern`, `anyOf`/`oneOf`/`allOf`/`not`, and local `$ref`s into `$defs`/`definitions`.
/// Unknown keywords are ignored, as the specification requires.
public struct JSONSchema: Sendable, Equatable {
    public let root: JSONValue
    /// The file the schema came from, for messages.
    public let source: String
    /// The keywords read once, so validating a value — which dispatch does for every stage of a
    /// chain whose kind declares an output schema — looks nothing up by name.
    let compiled: CompiledSchema

    public init(_ root: JSONValue, source: String = "<inline>") {
        self.root = root
        self.source = source
        compiled = CompiledSchema(root)
    }

    public static func == (a: JSONSchema, b: JSONSchema) -> Bool { a.root == b.root && a.source == b.source }

    /// The type the schema asks for at the top, for messages such as "expected object".
    public var expectedType: String { Self.expectation(root) }

    public func validate(_ value: JSONValue) -> [SchemaViolation] { compiled.validate(value) }

    static func expectation(_ schema: JSONValue) -> String {
        switch schema["type"] {
        case .string(let t)?: return t
        case .array(let ts)?: return ts.compactMap(\.stringValue).joined(separator: " or ")
        default:
            if schema["enum"] != nil { return "one of \(schema["enum"]!.encoded())" }
            if schema["const"] != nil { return schema["const"]!.encoded() }
            return "a value matching the schema"
        }
    }

    static func received(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s.count > 40 ? "string" : "string \(JSONValue.string(s).encoded())"
        case .int(let i): "integer \(i)"
        case .double(let d): "number \(d)"
        case .bool(let b): "boolean \(b)"
        case .null: "null"
        case .array: "array"
        case .object: "object"
        }
    }

    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
