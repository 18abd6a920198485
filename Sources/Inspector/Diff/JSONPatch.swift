import OrderedCollections
import PluginSystem

/// One RFC 6902 operation, with the value it replaced or removed (`old`) so a reader sees both sides.
public struct PatchOperation: Sendable, Equatable {
    public enum Op: String, Sendable { case add, remove, replace }
    public var op: Op
    /// An RFC 6901 pointer.
    public var path: String
    public var value: JSONValue?
    public var old: JSONValue?

    public var json: JSONValue {
        var o: JSONObject = ["op": .string(op.rawValue), "path": .string(path)]
        if let value { o["value"] = value }
        if let old { o["old"] = old }
        return .object(o)
    }

    public init(op: Op, path: String, value: JSONValue? = nil, old: JSONValue? = nil) {
        self.op = op
        self.path = path
        self.value = value
        self.old = old
    }

    public init?(json: JSONValue) {
        guard let op = json["op"]?.stringValue.flatMap(Op.init), let path = json["path"]?.stringValue else { return nil }
        self.init(op: op, path: path, value: json["value"], old: json["old"])
    }
}

/// The difference between two values as JSON Patch. Objects are compared key by key; arrays element
/// by element (`ArrayDiff`: an element inserted at the front is one insertion), so one change in a
/// large array is one operation.
public enum JSONDiff {
    public static func diff(_ before: JSONValue, _ after: JSONValue) -> [PatchOperation] {
        var ops: [PatchOperation] = []
        diff(before, after, path: "", into: &ops)
        return ops
    }

    public static func escape(_ token: String) -> String {
        guard token.contains("~") || token.contains("/") else { return token }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func diff(_ a: JSONValue, _ b: JSONValue, path: String, into ops: inout [PatchOperation]) {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            // Keys match exactly: a key rewritten in another Unicode normalisation is a removal and
            // an addition, as it is to every plugin that reads the object.
            for (key, old) in x where y.exactValue(forKey: key) == nil {
                ops.append(PatchOperation(op: .remove, path: path + "/" + escape(key), old: old))
            }
            for (key, new) in y {
                if let old = x.exactValue(forKey: key) {
                    if old != new { diff(old, new, path: path + "/" + escape(key), into: &ops) }
                } else {
                    ops.append(PatchOperation(op: .add, path: path + "/" + escape(key), value: new))
                }
            }
        case (.array(let x), .array(let y)):
            ArrayDiff.diff(x, y, path: path, into: &ops)
        default:
            if a != b { ops.append(PatchOperation(op: .replace, path: path, value: b, old: a)) }
        }
    }

    /// Applies `ops` to `value` (used to check diffs and by session replays).
    public static func apply(_ ops: [PatchOperation], to value: JSONValue) -> JSONValue? {
        var result = value
        for op in ops {
            let tokens = op.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
                $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            }
            guard let updated = apply(op, tokens: ArraySlice(tokens), to: result) else { return nil }
            result = updated
        }
        return result
    }

    static func apply(_ op: PatchOperation, tokens: ArraySlice<String>, to value: JSONValue) -> JSONValue? {
        guard let token = tokens.first else {
            return op.op == .remove ? nil : op.value
        }
        let rest = tokens.dropFirst()
        switch value {
        case .object(var o):
            if rest.isEmpty {
                switch op.op {
                case .remove: o.removeValue(forKey: token)
                case .add, .replace: o[token] = op.value
                }
                return .object(o)
            }
            guard let child = o[token], let updated = apply(op, tokens: rest, to: child) else { return nil }
            o[token] = updated
            return .object(o)
        case .array(var a):
            guard let index = Int(token) else { return nil }
            if rest.isEmpty {
                switch op.op {
                case .remove: guard a.indices.contains(index) else { return nil }; a.remove(at: index)
                case .add: guard index <= a.count, let v = op.value else { return nil }; a.insert(v, at: index)
                case .replace: guard a.indices.contains(index), let v = op.value else { return nil }; a[index] = v
                }
                return .array(a)
            }
            guard a.indices.contains(index), let updated = apply(op, tokens: rest, to: a[index]) else { return nil }
            a[index] = updated
            return .array(a)
        default:
            return nil
        }
    }
}
