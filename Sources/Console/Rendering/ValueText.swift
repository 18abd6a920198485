import PluginSystem

/// JSON for a person to read: compact, and large values cut down to their shape so the parts that
/// matter (the diff) stay visible.
enum ValueText {
    static let limit = 160

    static func short(_ value: JSONValue, limit: Int = ValueText.limit) -> String {
        let full = value.encoded()
        guard full.count > limit else { return full }
        switch value {
        case .object(let o):
            return fitted(o.map { JSONValue.string($0.key).encoded() + ":" + short($0.value, limit: 40) }, limit: limit, open: "{", close: "}")
        case .array(let a):
            return fitted(a.map { short($0, limit: 40) }, limit: limit, open: "[", close: "]")
        case .string(let s):
            return JSONValue.string(String(s.prefix(limit - 20))).encoded().dropLast() + "…\" (\(s.count) chars)"
        default:
            return String(full.prefix(limit)) + "…"
        }
    }

    /// As many members as fit in `limit`, then how many were left out.
    static func fitted(_ pieces: [String], limit: Int, open: String, close: String) -> String {
        var kept: [String] = []
        var used = 2
        for piece in pieces {
            if used + piece.count > limit { break }
            kept.append(piece)
            used += piece.count + 1
        }
        let more = pieces.count - kept.count
        let rest = more == 0 ? "" : (kept.isEmpty ? "" : ",") + "…\(more) more"
        return open + kept.joined(separator: ",") + rest + close
    }
}
