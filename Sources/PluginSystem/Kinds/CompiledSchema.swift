import Foundation
import Synchronization

/// A JSON Schema with every node's keywords read once into fields, and `pattern`s compiled once.
/// `$ref`s are compiled when first followed (a schema may refer to itself) and kept.
final class CompiledSchema: Sendable {
    let root: JSONValue
    let top: SchemaNode
    private let refs = Mutex<[String: SchemaNode]>([:])

    init(_ root: JSONValue) {
        self.root = root
        top = SchemaNode(root)
    }

    func validate(_ value: JSONValue) -> [SchemaViolation] {
        var violations: [SchemaViolation] = []
        var path = SchemaPath()
        check(value, against: top, path: &path, into: &violations, depth: 0)
        return violations
    }

    private func node(for ref: String) -> SchemaNode? {
        if let known = refs.withLock({ $0[ref] }) { return known }
        guard let target = resolve(ref) else { return nil }
        let compiled = SchemaNode(target)
        refs.withLock { $0[ref] = compiled }
        return compiled
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

    // The order of the checks, and every message, is the validator's contract with its tests.
    private func check(_ value: JSONValue, against node: SchemaNode, path: inout SchemaPath, into out: inout [SchemaViolation], depth: Int) {
        guard depth < 64 else { return }
        func fail(_ expected: @autoclosure () -> String) {
            out.append(SchemaViolation(path: path.pointer, expected: expected(), received: JSONSchema.received(value)))
        }
        switch node.form {
        case .nothing: fail("nothing (schema is false)"); return
        case .anything: return
        case .constrained: break
        }
        if let ref = node.ref {
            if let target = self.node(for: ref) { check(value, against: target, path: &path, into: &out, depth: depth + 1) }
            else { fail("a value matching unresolved $ref \(ref)") }
        }
        if !node.types.isEmpty && !node.types.contains(where: { Self.matchesType(value, $0) }) {
            fail(node.types.joined(separator: " or "))
            return
        }
        if let options = node.enumOptions, !options.contains(where: { $0.numericallyEquals(value) }) {
            fail("one of \(JSONValue.array(options).encoded())")
        }
        if let constant = node.constValue, !constant.numericallyEquals(value) { fail(constant.encoded()) }
        for sub in node.allOf { check(value, against: sub, path: &path, into: &out, depth: depth + 1) }
        if let options = node.anyOf, !options.contains(where: { valid(value, $0, depth) }) {
            fail(options.map { JSONSchema.expectation($0.source) }.joined(separator: " or "))
        }
        if let options = node.oneOf, options.filter({ valid(value, $0, depth) }).count != 1 {
            fail("exactly one of: " + options.map { JSONSchema.expectation($0.source) }.joined(separator: ", "))
        }
        if let negated = node.not, valid(value, negated, depth) { fail("a value not matching \(negated.source.encoded())") }

        switch value {
        case .string(let s):
            if node.minLength != nil || node.maxLength != nil {
                let length = s.unicodeScalars.count
                if let min = node.minLength, length < min { fail("a string of at least \(min) characters") }
                if let max = node.maxLength, length > max { fail("a string of at most \(max) characters") }
            }
            if let pattern = node.pattern, let regex = node.regex,
                regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) == nil
            {
                fail("a string matching /\(pattern)/")
            }
        case .int, .double:
            let number = value.doubleValue!
            if let min = node.minimum, number < min.value { fail("a number >= \(min.text)") }
            if let max = node.maximum, number > max.value { fail("a number <= \(max.text)") }
            if let min = node.exclusiveMinimum, number <= min.value { fail("a number > \(min.text)") }
            if let max = node.exclusiveMaximum, number >= max.value { fail("a number < \(max.text)") }
        case .array(let items):
            if let min = node.minItems, items.count < min { fail("an array of at least \(min) items") }
            if let max = node.maxItems, items.count > max { fail("an array of at most \(max) items") }
            guard !node.prefixItems.isEmpty || node.items != nil else { break }
            for (index, item) in items.enumerated() {
                guard let itemNode = index < node.prefixItems.count ? node.prefixItems[index] : node.items else { continue }
                path.steps.append(.index(index))
                check(item, against: itemNode, path: &path, into: &out, depth: depth + 1)
                path.steps.removeLast()
            }
        case .object(let members):
            for name in node.required where members[name] == nil {
                path.steps.append(.key(name))
                out.append(SchemaViolation(path: path.pointer, expected: "required property '\(name)'", received: "nothing"))
                path.steps.removeLast()
            }
            guard !node.properties.isEmpty || node.additional != nil else { break }
            for (name, member) in members {
                guard let memberNode = node.properties[name] ?? node.additional else { continue }
                path.steps.append(.key(name))
                if node.properties[name] == nil, case .nothing = memberNode.form {
                    out.append(SchemaViolation(path: path.pointer, expected: "no additional property '\(name)'", received: JSONSchema.received(member)))
                } else {
                    check(member, against: memberNode, path: &path, into: &out, depth: depth + 1)
                }
                path.steps.removeLast()
            }
        default: break
        }
    }

    private func valid(_ value: JSONValue, _ node: SchemaNode, _ depth: Int) -> Bool {
        var scratch: [SchemaViolation] = []
        var path = SchemaPath()
        check(value, against: node, path: &path, into: &scratch, depth: depth + 1)
        return scratch.isEmpty
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
}

/// Where the validator is in the value; turned into an RFC 6901 pointer only for a violation.
struct SchemaPath {
    enum Step {
        case key(String)
        case index(Int)
    }

    var steps: [Step] = []

    var pointer: String {
        steps.map { step in
            switch step {
            case .key(let name): "/" + JSONSchema.escape(name)
            case .index(let index): "/\(index)"
            }
        }.joined()
    }
}

/// One schema object's keywords.
final class SchemaNode: Sendable {
    enum Form: Sendable {
        /// `false`: nothing matches.
        case nothing
        /// `true`, or anything that is not an object: no constraint.
        case anything
        case constrained
    }

    typealias Bound = (value: Double, text: String)

    /// The schema as written, for messages.
    let source: JSONValue
    let form: Form
    let ref: String?
    let types: [String]
    let enumOptions: [JSONValue]?
    let constValue: JSONValue?
    let allOf: [SchemaNode]
    let anyOf: [SchemaNode]?
    let oneOf: [SchemaNode]?
    let not: SchemaNode?
    let minLength: Int?
    let maxLength: Int?
    let pattern: String?
    let regex: NSRegularExpression?
    let minimum: Bound?
    let maximum: Bound?
    let exclusiveMinimum: Bound?
    let exclusiveMaximum: Bound?
    let minItems: Int?
    let maxItems: Int?
    let prefixItems: [SchemaNode]
    let items: SchemaNode?
    let required: [String]
    let properties: [String: SchemaNode]
    let additional: SchemaNode?

    init(_ schema: JSONValue) {
        source = schema
        switch schema {
        case .bool(false): form = .nothing
        case .object: form = .constrained
        default: form = .anything
        }
        ref = schema["$ref"]?.stringValue
        if let type = schema["type"] {
            types = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue].compactMap { $0 }
        } else {
            types = []
        }
        enumOptions = schema["enum"]?.arrayValue
        constValue = schema["const"]
        allOf = (schema["allOf"]?.arrayValue ?? []).map(SchemaNode.init)
        anyOf = schema["anyOf"]?.arrayValue?.map(SchemaNode.init)
        oneOf = schema["oneOf"]?.arrayValue?.map(SchemaNode.init)
        not = schema["not"].map(SchemaNode.init)
        minLength = schema["minLength"]?.intValue
        maxLength = schema["maxLength"]?.intValue
        pattern = schema["pattern"]?.stringValue
        regex = pattern.flatMap { try? NSRegularExpression(pattern: $0) }
        func bound(_ keyword: String) -> Bound? {
            guard let raw = schema[keyword], let value = raw.doubleValue else { return nil }
            return (value, raw.encoded())
        }
        minimum = bound("minimum")
        maximum = bound("maximum")
        exclusiveMinimum = bound("exclusiveMinimum")
        exclusiveMaximum = bound("exclusiveMaximum")
        minItems = schema["minItems"]?.intValue
        maxItems = schema["maxItems"]?.intValue
        prefixItems = (schema["prefixItems"]?.arrayValue ?? []).map(SchemaNode.init)
        items = schema["items"].map(SchemaNode.init)
        required = schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var properties: [String: SchemaNode] = [:]
        for (name, sub) in schema["properties"]?.objectValue ?? [:] { properties[name] = SchemaNode(sub) }
        self.properties = properties
        additional = schema["additionalProperties"].map(SchemaNode.init)
    }
}
