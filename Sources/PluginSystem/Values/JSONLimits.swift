/// The limits of every JSON value the console carries, in one place: the console's own input parser,
/// the decoders of plugin answers, the TOML conversion of manifests and the Python host all use
/// these, so that what the console accepts as input it can also read back as an answer.
public enum JSONLimits {
    /// How deep a value may nest (arrays and objects). Deep enough for any real payload, shallow
    /// enough that no recursive walk of a value (encoding, diffing, schema checks) nears the stack's
    /// end on any thread.
    public static let maxDepth = 256

    /// How deep a message *carrying* a value may nest: a JSON-RPC answer (`result.stages[i].value`),
    /// a session entry. A value accepted at `maxDepth` always fits in its envelope.
    public static let maxMessageDepth = maxDepth + 16

    /// Integers are carried exactly as 64-bit signed integers; one beyond that is refused, never
    /// rounded into a double. Doubles must be finite (`1e999` is refused).
    public static let integerRange = "-9223372036854775808…9223372036854775807"

    /// A JSON path shortened for a message: the first and last steps of a long one.
    static func abbreviated(_ steps: [String]) -> String {
        guard steps.count > 12 else { return "$" + steps.joined() }
        return "$" + steps.prefix(6).joined() + "…" + steps.suffix(4).joined() + " (\(steps.count) levels)"
    }
}
