extension JSONValue {
    /// The deepest nesting `parse` accepts: a writer that must be read back (a session file) keeps
    /// what it writes within it.
    public static let maximumNestingDepth = JSONLimits.maxMessageDepth

    /// The value with every array or object nested more than `levels` deep replaced by `marker`:
    /// what can be written and read back, and compared on both sides the same way.
    public func truncated(deeperThan levels: Int, marker: JSONValue) -> JSONValue {
        switch self {
        case .array(let items):
            guard levels > 0 else { return marker }
            return .array(items.map { $0.truncated(deeperThan: levels - 1, marker: marker) })
        case .object(let members):
            guard levels > 0 else { return marker }
            var out = JSONObject()
            for (key, member) in members { out[key] = member.truncated(deeperThan: levels - 1, marker: marker) }
            return .object(out)
        default:
            return self
        }
    }

    /// How many arrays and objects deep the value goes (a scalar is 0).
    public var nestingDepth: Int {
        switch self {
        case .array(let items): 1 + (items.map(\.nestingDepth).max() ?? 0)
        case .object(let members): 1 + (members.values.map(\.nestingDepth).max() ?? 0)
        default: 0
        }
    }
}
