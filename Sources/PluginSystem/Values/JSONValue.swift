import OrderedCollections

/// An object whose keys keep the order in which they were inserted, as JSON written by people
/// (and by Python's `dict`) does. Diffs, traces and recorded sessions depend on that order.
public typealias JSONObject = OrderedDictionary<String, JSONValue>

/// The one value type that crosses every plugin boundary: what a plugin may receive and return is
/// exactly what JSON can carry, which is also the serialisable-boundaries invariant.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue {
    /// The JSON type name, as JSON Schema and error messages spell it.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e15: return Int(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Member of an object value; nil for other values or a missing key.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// Changes an object value in place: the members are moved out of the enum while `body` runs,
    /// so a value nothing else holds is changed without copying (a chain stage's way to set one
    /// field of a large value). Nil, and `body` not run, when the value is not an object.
    @inlinable @discardableResult
    public mutating func modifyObject<R>(_ body: (inout JSONObject) throws -> R) rethrows -> R? {
        guard case .object(var members) = self else { return nil }
        self = .null  // drops the enum's reference: `members` is now the only one
        defer { self = .object(members) }
        return try body(&members)
    }

    /// Element of an array value; nil for other values or an index out of range.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }

    /// Python's notion of truthiness, which capability `matches` results follow.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .double(let d): d != 0
        case .string(let s): !s.isEmpty
        case .array(let a): !a.isEmpty
        case .object(let o): !o.isEmpty
        }
    }

    /// Equality that treats `1` and `1.0` as the same number, as JSON itself does.
    public func numericallyEquals(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.numericallyEquals($1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let bv = b[key], value.numericallyEquals(bv) else { return false }
            }
            return true
        default: return self == other
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        // Not `init(minimumCapacity:)` and inserts: with that, the benchmark's diff of a 10 MB value
        // took 18 ms instead of 8 (bisected to this initializer; the mechanism was not pinned down),
        // for no measurable gain elsewhere.
        self = .object(JSONObject(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSONValue: CustomStringConvertible {
    public var description: String { encoded() }
}
