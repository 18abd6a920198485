import OrderedCollections

/// What a `broadcast_collect` does when a plugin fails (ADR-0002 §2, guides/broadcast-collect).
public enum ErrorPolicy: String, Sendable, CaseIterable {
    /// The first failure ends the collect: later plugins are not called, the caller gets the error.
    case failFast = "fail_fast"
    /// Failures are recorded and skipped: every plugin is called, the caller gets a partial result.
    case bestEffort = "best_effort"

    /// ADR-0002's default when a hookspec declares none.
    public static let `default` = ErrorPolicy.failFast
}

/// One hook of a kind's hookspec.
public struct HookSpec: Sendable, Equatable {
    public var name: String
    public var dispatch: DispatchClass
    public var description: String?
    public var inputSchema: JSONSchema?
    public var outputSchema: JSONSchema?
    /// The schema file names as written in the YAML, for display.
    public var inputSchemaPath: String?
    public var outputSchemaPath: String?
    public var mcpExposed = true
    /// Sample inputs (`examples:` in the YAML), which the contract checks run the hook with.
    public var examples: [JSONValue] = []
    /// `error_policy:` as the hookspec declares it (broadcast_collect hooks only); nil when it does not.
    public var errorPolicy: ErrorPolicy?

    public init(name: String, dispatch: DispatchClass, inputSchema: JSONSchema? = nil, outputSchema: JSONSchema? = nil) {
        self.name = name
        self.dispatch = dispatch
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
    }
}

/// A kind's hookspec: which hooks it has and how each is dispatched.
public struct KindSpec: Sendable, Equatable {
    public var kind: String
    public var kindAPIVersion: String
    public var description: String?
    public var hooks: OrderedDictionary<String, HookSpec>
    /// Where the spec was read from, or `<code>`.
    public var source: String

    public init(kind: String, kindAPIVersion: String = "1.0.0", hooks: [HookSpec], source: String = "<code>") {
        self.kind = kind
        self.kindAPIVersion = kindAPIVersion
        self.hooks = OrderedDictionary(uniqueKeysWithValues: hooks.map { ($0.name, $0) })
        self.source = source
    }
}
