import PluginSystem

/// What a command produced, in both renderings: text for a person, one JSON object for `--json`
/// and for recorded sessions. Every command's result type conforms, so the two never drift apart.
public protocol CommandOutput: Sendable {
    /// The JSON fields of the result (the console adds `"command"`).
    var json: JSONObject { get }
    func text(_ style: TextStyle) -> String
    /// False when the command ran but what it ran failed (a trace whose chain raised).
    var succeeded: Bool { get }
    /// The errors plugins raised while the command ran (what `pm` can look at), in order.
    var pluginFailures: [DagstackError] { get }
}

extension CommandOutput {
    public var succeeded: Bool { true }
    public var pluginFailures: [DagstackError] { [] }
}

/// A plain message (`disabled 'x'`).
struct MessageOutput: CommandOutput {
    var message: String
    var fields: JSONObject = [:]
    var json: JSONObject {
        var o = fields
        o["message"] = .string(message)
        return o
    }
    func text(_ style: TextStyle) -> String { message }
}
