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
            var parts: [String] = []
            var used = 2
            for (key, member) in o {
                let piece = JSONValue.string(key).encoded() + ":" + short(member, limit: 40)
                if used + piece.count > limit { break }
                parts.append(piece)
                used += piece.count + 1
            }
            let more = o.count - parts.count
            return "{" + parts.joined(separator: ",") + (more > 0 ? ",…\(more) more" : "") + "}"
        case .array(let a):
            var parts: [String] = []
            var used = 2
            for item in a {
                let piece = short(item, limit: 40)
                if used + piece.count > limit { break }
                parts.append(piece)
                used += piece.count + 1
            }
            let more = a.count - parts.count
            return "[" + parts.joined(separator: ",") + (more > 0 ? ",…\(more) more" : "") + "]"
        case .string(let s):
            return JSONValue.string(String(s.prefix(limit - 20))).encoded().dropLast() + "…\" (\(s.count) chars)"
        default:
            return String(full.prefix(limit)) + "…"
        }
    }
}
