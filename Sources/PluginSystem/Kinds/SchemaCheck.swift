/// Whether a hookspec's schema is a JSON Schema at all: a misspelt type (`"objekt"`) or a keyword
/// with a value of the wrong shape would otherwise load, and every stage would then be blamed for
/// failing a check that cannot pass. Checks the keywords `JSONSchema` uses; unknown keywords are
/// allowed, as the specification requires.
enum SchemaCheck {
    static let types: Set<String> = ["array", "boolean", "integer", "null", "number", "object", "string"]
    /// Keywords whose value is a schema.
    static let schemaKeywords = ["items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else"]
    /// Keywords whose value is an array of schemas.
    static let schemaListKeywords = ["anyOf", "oneOf", "allOf", "prefixItems"]
    /// Keywords whose value is an object of schemas.
    static let schemaMapKeywords = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]
    static let numberKeywords = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]
    static let countKeywords = ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]

    /// The first problem found: where (an RFC 6901 pointer into the schema) and what.
    static func problem(_ schema: JSONValue, at pointer: String = "") -> (pointer: String, message: String)? {
        switch schema {
        case .bool: return nil
        case .object(let o):
            func at(_ key: String) -> String { pointer + "/" + JSONSchema.escape(key) }
            if let type = o["type"] {
                let names: [JSONValue] = type.arrayValue ?? [type]
                for name in names {
                    guard let text = name.stringValue, types.contains(text) else {
                        return (at("type"), "\(name.encoded()) is not a type (one of \(types.sorted().joined(separator: ", ")))")
                    }
                }
            }
            for key in schemaKeywords {
                if let value = o[key], let found = problem(value, at: at(key)) { return found }
            }
            for key in schemaListKeywords {
                guard let value = o[key] else { continue }
                guard let items = value.arrayValue else { return (at(key), "must be an array of schemas, got \(value.typeName)") }
                for (index, item) in items.enumerated() {
                    if let found = problem(item, at: at(key) + "/\(index)") { return found }
                }
            }
            for key in schemaMapKeywords {
                guard let value = o[key] else { continue }
                guard let members = value.objectValue else { return (at(key), "must be an object of schemas, got \(value.typeName)") }
                for (name, member) in members {
                    if let found = problem(member, at: at(key) + "/" + JSONSchema.escape(name)) { return found }
                }
            }
            if let required = o["required"], !(required.arrayValue?.allSatisfy { $0.stringValue != nil } ?? false) {
                return (at("required"), "must be an array of property names, got \(required.encoded())")
            }
            if let values = o["enum"], values.arrayValue == nil { return (at("enum"), "must be an array, got \(values.typeName)") }
            if let pattern = o["pattern"], pattern.stringValue == nil { return (at("pattern"), "must be a string, got \(pattern.typeName)") }
            for key in numberKeywords where o[key] != nil && o[key]?.doubleValue == nil {
                return (at(key), "must be a number, got \(o[key]!.typeName)")
            }
            for key in countKeywords where o[key] != nil && !(o[key]?.intValue.map { $0 >= 0 } ?? false) {
                return (at(key), "must be a whole number >= 0, got \(o[key]!.encoded())")
            }
            return nil
        default:
            return (pointer, "a schema is an object or a boolean, got \(schema.typeName)")
        }
    }
}
