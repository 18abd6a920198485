import PluginSystem

/// One tool an MCP server lists (`tools/list`), and how a hook call becomes its `arguments` and its
/// `tools/call` result becomes the hook's value.
public struct MCPTool: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var inputSchema: JSONValue
    public var outputSchema: JSONValue?

    init?(_ listed: JSONValue) {
        guard let name = listed["name"]?.stringValue else { return nil }
        self.name = name
        description = listed["description"]?.stringValue
        inputSchema = listed["inputSchema"] ?? ["type": "object"]
        outputSchema = listed["outputSchema"]
    }

    /// The parameters the input schema declares, in its order, and those it requires.
    var parameters: [String] { inputSchema["properties"]?.objectValue.map { Array($0.keys) } ?? [] }
    var required: [String] { inputSchema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    /// The parameter a positional value (a chain stage's value) goes to: the one required
    /// parameter, else the only parameter. Nil when the schema leaves it ambiguous.
    var positionalParameter: String? {
        if required.count == 1 { return required[0] }
        if required.isEmpty && parameters.count == 1 { return parameters[0] }
        return nil
    }

    /// The tool's `arguments` for a hook call: the named arguments as they are, and a single
    /// positional value under `positionalParameter`.
    func arguments(_ call: HookArguments) throws(MCPArgumentProblem) -> JSONObject {
        var arguments = call.named
        guard !call.positional.isEmpty else { return arguments }
        guard call.positional.count == 1 else {
            throw MCPArgumentProblem(message: "\(call.positional.count) positional values cannot be mapped to the named parameters of tool '\(name)' (\(describeParameters)); pass them by name")
        }
        guard let parameter = positionalParameter else {
            throw MCPArgumentProblem(message: "tool '\(name)' has \(describeParameters): a positional value cannot be given to one of them; pass them by name")
        }
        if arguments[parameter] != nil {
            throw MCPArgumentProblem(message: "tool '\(name)': '\(parameter)' is given both as the positional value and by name")
        }
        arguments[parameter] = call.positional[0]
        return arguments
    }

    var describeParameters: String {
        parameters.isEmpty ? "no parameters" : "parameters " + parameters.map { required.contains($0) ? $0 : $0 + "?" }.joined(separator: ", ")
    }

    /// The hook's value from a `tools/call` result: `structuredContent` when present, else the text
    /// content (JSON-decoded when it is JSON; several text parts joined by newlines), else the
    /// content items themselves.
    static func value(of result: JSONValue) -> JSONValue {
        if let structured = result["structuredContent"], structured != .null { return structured }
        let content = result["content"]?.arrayValue ?? []
        let texts = content.filter { $0["type"] == "text" }.compactMap { $0["text"]?.stringValue }
        if texts.count == content.count, !texts.isEmpty {
            let text = texts.joined(separator: "\n")
            return (try? JSONValue.parse(text)) ?? .string(text)
        }
        return content.isEmpty ? .null : .array(content)
    }

    /// The message of an `isError` result: its text content.
    static func errorMessage(of result: JSONValue) -> String {
        let texts = (result["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }
        return texts.isEmpty ? "the tool reported an error (no text)" : texts.joined(separator: "\n")
    }
}

struct MCPArgumentProblem: Error {
    var message: String
}
