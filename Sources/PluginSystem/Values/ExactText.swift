import OrderedCollections

/// Text compared as plugins and their consumers see it: by Unicode scalars, not by Swift's
/// canonical equivalence. Swift's `==` says "cafe\u{301}" (NFD) and "café" (NFC) are equal; Python,
/// JavaScript, a JSON file and every byte-for-byte consumer say they differ, so a plugin that
/// normalises a text changed it. Every comparison of plugin values goes through these.
extension String {
    /// The same Unicode scalars in the same order (for valid UTF-8, the same bytes).
    @inlinable
    public func exactlyEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        let compared = a.withContiguousStorageIfAvailable { x in
            b.withContiguousStorageIfAvailable { y in x.elementsEqual(y) }
        }
        return (compared ?? nil) ?? a.elementsEqual(b)
    }

    /// Hashes the scalars (consistent with `exactlyEquals`; Swift's own hash is of the normalised text).
    @inlinable
    public func hashExactly(into hasher: inout Hasher) {
        let view = utf8
        hasher.combine(view.count)
        if view.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
            for byte in view { hasher.combine(byte) }
        }
    }

    /// Whether `other` occurs in this text as a run of the same scalars (valid UTF-8 never matches
    /// inside a scalar, so a byte search is a scalar search).
    public func containsExactly(_ other: String) -> Bool {
        other.isEmpty || utf8.firstRange(of: other.utf8) != nil
    }

    /// The text as JSON writes it with every scalar outside printable ASCII escaped (`\u0301`, a
    /// surrogate pair beyond the BMP), so texts that look the same on a screen read differently.
    public var scalarsEscaped: String {
        unicodeScalars.map { scalar -> String in
            switch scalar.value {
            case 0x22: return "\\\""
            case 0x5C: return "\\\\"
            case 0x20..<0x7F: return String(scalar)
            case ..<0x10000: return Self.hex(scalar.value)
            default:
                let v = scalar.value - 0x10000
                return Self.hex(0xD800 + (v >> 10)) + Self.hex(0xDC00 + (v & 0x3FF))
            }
        }.joined()
    }

    private static func hex(_ unit: UInt32) -> String {
        let digits = String(unit, radix: 16)
        return "\\u" + String(repeating: "0", count: Swift.max(0, 4 - digits.count)) + digits
    }

    /// Scalar order, the order Python and JavaScript (for the BMP) sort texts by.
    public func precedesExactly(_ other: String) -> Bool {
        unicodeScalars.lexicographicallyPrecedes(other.unicodeScalars)
    }
}

extension JSONObject {
    /// The member whose key is exactly `key`. The dictionary's own lookup treats canonically
    /// equivalent keys as one: `o["é"]` finds a key spelled "e\u{301}".
    public func exactValue(forKey key: String) -> JSONValue? {
        guard let index = index(forKey: key), keys[index].exactlyEquals(key) else { return nil }
        return values[index]
    }
}

extension JSONValue {
    /// Exact equality: texts and object keys by Unicode scalars, objects member by member in order,
    /// numbers as Swift compares them (`1` and `1.0` differ here; see `numericallyEquals`).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.string(let a), .string(let b)): a.exactlyEquals(b)
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            // The dictionary's own == first: it sees at once two objects that share their storage
            // (a value passed on unchanged), where a walk member by member made a diff 5 times
            // slower. It compares keys as Swift does, so the keys are then checked exactly.
            a == b && sameKeys(a, b)
        default: false
        }
    }

    /// The keys of two objects already equal as Swift compares keys: the same scalars too.
    private static func sameKeys(_ a: JSONObject, _ b: JSONObject) -> Bool {
        let x = a.keys.elements, y = b.keys.elements
        let shared = x.withUnsafeBufferPointer { p in y.withUnsafeBufferPointer { q in p.baseAddress == q.baseAddress } }
        return shared || zip(x, y).allSatisfy { $0.exactlyEquals($1) }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .int(let i): hasher.combine(2); hasher.combine(i)
        case .double(let d): hasher.combine(3); hasher.combine(d)
        case .string(let s): hasher.combine(4); s.hashExactly(into: &hasher)
        case .array(let a): hasher.combine(5); hasher.combine(a)
        case .object(let o):
            hasher.combine(6)
            hasher.combine(o.count)
            for (key, value) in o {
                key.hashExactly(into: &hasher)
                hasher.combine(value)
            }
        }
    }
}
