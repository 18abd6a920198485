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

    public init(_ root: JSONValue, source: String = "<inline>") {
        self.root = root
        self.source = source
    }

    /// The type the schema asks for at the top, for messages such as "expected object".
    public var expectedType: String { Self.expectation(root) }

    public func validate(_ value: JSONValue) -> [SchemaViolation] {
        var violations: [SchemaViolation] = []
        check(value, against: root, path: "", into: &violations, depth: 0)
        return violations
    }

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

    private func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#") else { return nil }
        var node = root
        for token in ref.dropFirst().split(separator: "/") {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let next = node[key] {
                node = next
            } else if case .array(let items) = node, let index = Int(key), items.indices.contains(index) {
                node = items[index]
            } else {
                return nil
            }
        }
        return node
    }

    private static func matchesType(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
        case ("integer", .int): true
        case ("integer", .double(let d)): d.rounded() == d
        case ("number", .int), ("number", .double): true
        default: false
        }
    }

    private func check(_ value: JSONValue, against schema: JSONValue, path: String, into out: inout [SchemaViolation], depth: Int) {
        guard depth < 64 else { return }
        func fail(_ expected: String, _ got: String? = nil) {
            out.append(SchemaViolation(path: path, expected: expected, received: got ?? Self.received(value)))
        }
        switch schema {
        case .bool(false): fail("nothing (schema is false)"); return
        case .object: break
        default: return
        }
        if let ref = schema["$ref"]?.stringValue {
            if let target = resolve(ref) { check(value, against: target, path: path, into: &out, depth: depth + 1) }
            else { fail("a value matching unresolved $ref \(ref)") }
        }
        if let type = schema["type"] {
            let types = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue].compactMap { $0 }
            if !types.isEmpty && !types.contains(where: { Self.matchesType(value, $0) }) {
                fail(types.joined(separator: " or "))
                return
            }
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(where: { $0.numericallyEquals(value) }) {
            fail("one of \(JSONValue.array(options).encoded())")
        }
        if let constant = schema["const"], !constant.numericallyEquals(value) { fail(constant.encoded()) }
        for sub in schema["allOf"]?.arrayValue ?? [] { check(value, against: sub, path: path, into: &out, depth: depth + 1) }
        if let options = schema["anyOf"]?.arrayValue {
            let passing = options.filter { valid(value, $0, depth) }
            if passing.isEmpty { fail(options.map(Self.expectation).joined(separator: " or ")) }
        }
        if let options = schema["oneOf"]?.arrayValue {
            let passing = options.filter { valid(value, $0, depth) }.count
            if passing != 1 { fail("exactly one of: " + options.map(Self.expectation).joined(separator: ", ")) }
        }
        if let negated = schema["not"], valid(value, negated, depth) { fail("a value not matching \(negated.encoded())") }

        switch value {
        case .string(let s):
            let length = s.unicodeScalars.count
            if let min = schema["minLength"]?.intValue, length < min { fail("a string of at least \(min) characters") }
            if let max = schema["maxLength"]?.intValue, length > max { fail("a string of at most \(max) characters") }
            if let pattern = schema["pattern"]?.stringValue,
                let regex = try? NSRegularExpression(pattern: pattern),
                regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) == nil
            {
                fail("a string matching /\(pattern)/")
            }
        case .int, .double:
            let number = value.doubleValue!
            if let min = schema["minimum"]?.doubleValue, number < min { fail("a number >= \(schema["minimum"]!.encoded())") }
            if let max = schema["maximum"]?.doubleValue, number > max { fail("a number <= \(schema["maximum"]!.encoded())") }
            if let min = schema["exclusiveMinimum"]?.doubleValue, number <= min { fail("a number > \(schema["exclusiveMinimum"]!.encoded())") }
            if let max = schema["exclusiveMaximum"]?.doubleValue, number >= max { fail("a number < \(schema["exclusiveMaximum"]!.encoded())") }
        case .array(let items):
            if let min = schema["minItems"]?.intValue, items.count < min { fail("an array of at least \(min) items") }
            if let max = schema["maxItems"]?.intValue, items.count > max { fail("an array of at most \(max) items") }
            let prefix = schema["prefixItems"]?.arrayValue ?? []
            for (index, item) in items.enumerated() {
                let itemPath = "\(path)/\(index)"
                if index < prefix.count {
                    check(item, against: prefix[index], path: itemPath, into: &out, depth: depth + 1)
                } else if let itemSchema = schema["items"] {
                    check(item, against: itemSchema, path: itemPath, into: &out, depth: depth + 1)
                }
            }
        case .object(let members):
            for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                out.append(SchemaViolation(path: "\(path)/\(Self.escape(name))", expected: "required property '\(name)'", received: "nothing"))
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for (name, member) in members {
                let memberPath = "\(path)/\(Self.escape(name))"
                if let propertySchema = properties[name] {
                    check(member, against: propertySchema, path: memberPath, into: &out, depth: depth + 1)
                } else if let additional = schema["additionalProperties"] {
                    if case .bool(false) = additional {
                        out.append(SchemaViolation(path: memberPath, expected: "no additional property '\(name)'", received: Self.received(member)))
                    } else {
                        check(member, against: additional, path: memberPath, into: &out, depth: depth + 1)
                    }
                }
            }
        default: break
        }
    }

    private func valid(_ value: JSONValue, _ schema: JSONValue, _ depth: Int) -> Bool {
        var scratch: [SchemaViolation] = []
        check(value, against: schema, path: "", into: &scratch, depth: depth + 1)
        return scratch.isEmpty
    }

    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
