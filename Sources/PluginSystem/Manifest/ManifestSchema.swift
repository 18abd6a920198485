import OrderedCollections
/// Reads and checks the fields of a manifest held as an untyped tree, collecting every problem with
/// the key path a person would look for in the file (`plugin.resources.required.0`).
struct ManifestSchema {
    private(set) var problems: [(path: String, message: String)] = []
    let prefix: String

    init(prefix: String) { self.prefix = prefix }

    func path(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }

    mutating func fail(_ key: String, _ message: String) { problems.append((path(key), message)) }

    mutating func rejectUnknownKeys(_ table: JSONObject, allowed: Set<String>, under sub: String? = nil) {
        for key in table.keys where !allowed.contains(key) {
            problems.append((path(sub.map { "\($0).\(key)" } ?? key), "unknown key (extra inputs are not permitted)"))
        }
    }

    mutating func string(_ table: JSONObject, _ key: String, required: Bool = false, under sub: String? = nil) -> String? {
        let full = sub.map { "\($0).\(key)" } ?? key
        guard let value = table[key] else {
            if required { fail(full, "field required") }
            return nil
        }
        guard case .string(let s) = value else {
            fail(full, "expected a string, got \(describe(value))")
            return nil
        }
        return s
    }

    mutating func bool(_ table: JSONObject, _ key: String, under sub: String? = nil) -> Bool? {
        guard let value = table[key] else { return nil }
        guard case .bool(let b) = value else {
            fail(sub.map { "\($0).\(key)" } ?? key, "expected a boolean, got \(describe(value))")
            return nil
        }
        return b
    }

    mutating func int(
        _ table: JSONObject, _ key: String, minimum: Int, exclusive: Bool = false, maximum: Int? = nil, under sub: String? = nil
    ) -> Int? {
        let full = sub.map { "\($0).\(key)" } ?? key
        guard let value = table[key] else { return nil }
        guard case .int(let i) = value else {
            fail(full, "expected an integer, got \(describe(value))")
            return nil
        }
        if exclusive ? i <= minimum : i < minimum {
            fail(full, "must be \(exclusive ? "greater than" : "at least") \(minimum), got \(i)")
            return nil
        }
        if let maximum, i > maximum {
            fail(full, "must be at most \(maximum), got \(i)")
            return nil
        }
        return i
    }

    mutating func stringList(_ table: JSONObject, _ key: String, under sub: String? = nil) -> [String]? {
        let full = sub.map { "\($0).\(key)" } ?? key
        guard let value = table[key] else { return nil }
        guard case .array(let items) = value else {
            fail(full, "expected an array of strings, got \(describe(value))")
            return nil
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let s) = item else {
                fail("\(full).\(index)", "expected a string, got \(describe(item))")
                continue
            }
            result.append(s)
        }
        return result
    }

    mutating func table(_ table: JSONObject, _ key: String, under sub: String? = nil) -> JSONObject? {
        guard let value = table[key] else { return nil }
        guard case .object(let o) = value else {
            fail(sub.map { "\($0).\(key)" } ?? key, "expected a table, got \(describe(value))")
            return nil
        }
        return o
    }

    mutating func choice<E: RawRepresentable & CaseIterable>(
        _ table: JSONObject, _ key: String, as type: E.Type, under sub: String? = nil
    ) -> E? where E.RawValue == String {
        let full = sub.map { "\($0).\(key)" } ?? key
        guard let raw = string(table, key, under: sub) else { return nil }
        guard let value = E(rawValue: raw) else {
            let allowed = E.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            fail(full, "must be one of \(allowed), got '\(raw)'")
            return nil
        }
        return value
    }

    func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): "string \"\(s)\""
        case .int(let i): "integer \(i)"
        case .double(let d): "float \(d)"
        case .bool(let b): "boolean \(b)"
        case .array: "an array"
        case .object: "a table"
        case .null: "null"
        }
    }
}
