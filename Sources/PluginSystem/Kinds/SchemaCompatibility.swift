/// Whether values valid for one JSON Schema are valid for another, as far as the keywords hookspecs
/// use can tell: the types the first allows must all be allowed by the second, what the second
/// requires the first must guarantee, and shared properties must agree. Used to check that a chain
/// stage's output schema fits the next stage's input schema.
public enum SchemaCompatibility {
    public static func problems(output: JSONSchema, input: JSONSchema) -> [String] {
        if output.root == input.root { return [] }
        var found: [String] = []
        compare(output.root, input.root, path: "", into: &found, depth: 0)
        return found
    }

    static func types(_ schema: JSONValue) -> Set<String>? {
        switch schema["type"] {
        case .string(let t)?: return [t]
        case .array(let ts)?: return Set(ts.compactMap(\.stringValue))
        default: return nil
        }
    }

    static func compare(_ out: JSONValue, _ input: JSONValue, path: String, into found: inout [String], depth: Int) {
        guard depth < 16 else { return }
        let at = path.isEmpty ? "the value" : path
        if let produced = types(out), let accepted = types(input) {
            let widened = accepted.contains("number") ? accepted.union(["integer"]) : accepted
            let extra = produced.subtracting(widened)
            if !extra.isEmpty {
                found.append("\(at) may be \(extra.sorted().joined(separator: " or ")), which the input schema does not accept (\(accepted.sorted().joined(separator: " or ")))")
            }
        } else if types(out) == nil, let accepted = types(input) {
            found.append("\(at) is unconstrained in the output schema, but the input schema accepts only \(accepted.sorted().joined(separator: " or "))")
        }
        let guaranteed = Set(out["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        for name in input["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where !guaranteed.contains(name) {
            found.append("\(path)/\(name) is required by the input schema but not guaranteed by the output schema")
        }
        let produced = out["properties"]?.objectValue ?? [:]
        for (name, accepted) in input["properties"]?.objectValue ?? [:] {
            if let made = produced[name] { compare(made, accepted, path: "\(path)/\(name)", into: &found, depth: depth + 1) }
        }
        if case .bool(false)? = input["additionalProperties"] {
            for name in produced.keys where input["properties"]?[name] == nil {
                found.append("\(path)/\(name) may be produced, but the input schema allows no property '\(name)'")
            }
        }
        if let outItems = out["items"], let inItems = input["items"] {
            compare(outItems, inItems, path: "\(path)/*", into: &found, depth: depth + 1)
        }
    }
}
