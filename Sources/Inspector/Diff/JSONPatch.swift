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

/// The difference between two values as JSON Patch. Objects are compared key by key; arrays by
/// their common prefix and suffix, then element by element, so one change in a large array is one
/// operation. Linear in the size of the values.
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
            for (key, old) in x where y[key] == nil {
                ops.append(PatchOperation(op: .remove, path: path + "/" + escape(key), old: old))
            }
            for (key, new) in y {
                if let old = x[key] {
                    if old != new { diff(old, new, path: path + "/" + escape(key), into: &ops) }
                } else {
                    ops.append(PatchOperation(op: .add, path: path + "/" + escape(key), value: new))
                }
            }
        case (.array(let x), .array(let y)):
            var prefix = 0
            while prefix < x.count && prefix < y.count && x[prefix] == y[prefix] { prefix += 1 }
            var suffix = 0
            while suffix < x.count - prefix && suffix < y.count - prefix && x[x.count - 1 - suffix] == y[y.count - 1 - suffix] {
                suffix += 1
            }
            let xMid = x.count - prefix - suffix, yMid = y.count - prefix - suffix
            let common = min(xMid, yMid)
            for i in 0..<common { diff(x[prefix + i], y[prefix + i], path: "\(path)/\(prefix + i)", into: &ops) }
            if xMid > yMid {
                // Remove from the highest index down so every path is valid when applied in order.
                for i in stride(from: prefix + xMid - 1, through: prefix + common, by: -1) {
                    ops.append(PatchOperation(op: .remove, path: "\(path)/\(i)", old: x[i]))
                }
            } else {
                for i in common..<yMid {
                    ops.append(PatchOperation(op: .add, path: "\(path)/\(prefix + i)", value: y[prefix + i]))
                }
            }
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
