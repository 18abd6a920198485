/// Which configuration fields hold secrets and how they are shown: DagStack/config-python's
/// `spec/_meta/secret_patterns.yaml` (a superset of guides/configuration's list), compared without
/// case. A secret's non-empty value prints as `[MASKED]`; the key stays visible.
public enum SecretMask {
    public static let placeholder = "[MASKED]"

    static let suffixes = [
        "_key", "_secret", "_token", "_password", "_passphrase", "_credentials", "_credential", "_auth", "_api_key",
        "_access_key", "_private_key",
    ]
    static let prefixes = ["api_key", "api_token", "secret", "password", "private_key", "access_token", "bearer"]
    static let exact: Set<String> = ["api_key", "apikey", "password", "passwd", "pw", "token", "secret", "credentials"]

    public static func isSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return exact.contains(lowered) || suffixes.contains { lowered.hasSuffix($0) } || prefixes.contains { lowered.hasPrefix($0) }
    }

    /// `value` with every secret field, at any depth, masked. Empty and null values stay as they
    /// are: there is nothing to hide.
    public static func masked(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object): return .object(masked(object))
        case .array(let items): return .array(items.map(masked))
        default: return value
        }
    }

    public static func masked(_ object: JSONObject) -> JSONObject {
        var result = JSONObject()
        for (key, value) in object {
            if isSecret(key), value != .null, value != .string("") {
                result[key] = .string(placeholder)
            } else {
                result[key] = masked(value)
            }
        }
        return result
    }
}
