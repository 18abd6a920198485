/// A validated `dagstack.toml`: every field of the reference model (spec-notes §2.2) with its
/// default, plus what the seeds use and the reference rejects (`version`, `description`,
/// `[plugin.metadata]` kept readable, `[plugin.chain_wrap]`).
public struct PluginManifest: Sendable, Equatable {
    public enum Runtime: String, Sendable, CaseIterable {
        case inProcess = "in_process"
        case mcpStdio = "mcp_stdio"
        case mcpHttp = "mcp_http"

        /// ADR-0002's set-up order: fast and reliable first, networked last.
        public var setupRank: Int {
            switch self {
            case .inProcess: 0
            case .mcpStdio: 1
            case .mcpHttp: 2
            }
        }
    }

    public enum ExecutionModel: String, Sendable, CaseIterable {
        case async
        case sync
        case threadCPUBound = "thread_cpu_bound"
        case processCPUBound = "process_cpu_bound"
    }

    public struct Resources: Sendable, Equatable {
        public var required: [String]
        public var optional: [String]
        public init(required: [String] = [], optional: [String] = []) {
            self.required = required
            self.optional = optional
        }
    }

    public enum IdempotencyMode: String, Sendable, CaseIterable {
        case outputHash = "output_hash"
        case inputHash = "input_hash"
        case none
    }

    public struct UnitOfWork: Sendable, Equatable {
        public var declared = false
        public var partitionKey: String?
        public var estimatedDurationSec: Int?
        public var idempotencyMode: IdempotencyMode = .none
        public var checkpointable = false
        /// The input fields the idempotency key is computed from (manifest-schema).
        public var contentHash: [String] = []
        public init() {}
    }

    /// `[plugin.chain_wrap]`: which hooks of which kinds a middleware plugin wraps (`"*"` = all).
    public struct ChainWrap: Sendable, Equatable {
        public var kinds: [String]
        public var hooks: [String]
        public init(kinds: [String] = ["*"], hooks: [String] = ["*"]) {
            self.kinds = kinds
            self.hooks = hooks
        }

        public func wraps(kind: String, hook: String) -> Bool {
            (kinds.contains("*") || kinds.contains(kind)) && (hooks.contains("*") || hooks.contains(hook))
        }
    }

    /// Priorities at or above this are reserved for horizontal middleware (ADR-0005).
    public static let middlewarePriorityThreshold = 1000

    /// The HTTP endpoint settings of `[plugin.mcp_http]` (concepts/runtimes, manifest-schema).
    public struct MCPHttp: Sendable, Equatable {
        public var authHeader: String?
        public var authSecretEnv: String?
        public var timeoutSec: Int?
        public var tlsCABundle: String?
        public var tlsVerify: Bool?
        public init() {}
    }

    /// What a plugin in another process or on another host speaks: the reference's JSON-RPC dialect
    /// (bare hook names), or the Model Context Protocol (`tools/call`).
    public enum WireProtocol: String, Sendable, CaseIterable {
        case dagstack
        case mcp
    }

    /// The name pattern of reference/manifest-schema: lower-case letters, digits, `-`, `_`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F }
    }

    public var schemaVersion = "1"
    public var name: String
    public var kind: String
    public var kindAPIVersion = "1"
    public var coreVersion: String
    /// The runtime this plugin runs in. When the manifest lists several (`runtime = ["in_process",
    /// "mcp_stdio"]`), the host picks the first it can run, in the order in_process → mcp_stdio →
    /// mcp_http; until then it is the first of those the manifest lists.
    public var runtime: Runtime
    /// Every runtime the manifest allows, in the order in_process → mcp_stdio → mcp_http.
    public var runtimes: [Runtime]
    public var version: String?
    public var description: String?
    public var license: String?
    public var maintainer: String?
    public var homepage: String?
    public var authors: [String] = []
    public var capabilities: [String] = []
    public var priority = 0
    public var dependsOn: [String] = []
    /// The kind a `[[plugin.depends_on]]` table names for a dependency, by dependency name.
    public var dependencyKinds: [String: String] = [:]
    public var tryfirst = false
    public var trylast = false
    public var startupTimeoutSec = 30
    public var teardownTimeoutSec = 15
    public var supportsLanguages: [String] = []
    public var supportsExtensions: [String] = []
    public var supportsMimeTypes: [String] = []
    public var fallback = false
    public var executionModel: ExecutionModel = .sync
    public var inProcessOnly = false
    public var resources = Resources()
    public var unitOfWork = UnitOfWork()
    public var entryPoint: String?
    public var healthCheck: String?
    public var command: [String]?
    public var env: [String: String]?
    public var workingDir: String?
    public var url: String?
    public var endpoint: String?
    public var auth: JSONObject?
    /// `headers` (top level or in `[plugin.mcp_http]`): extra HTTP headers an mcp_http request carries.
    public var httpHeaders: [String: String]?
    public var mcpHttp = MCPHttp()
    /// `protocol`: `"dagstack"` (the default) or `"mcp"` for a Model Context Protocol server.
    public var wireProtocol: WireProtocol = .dagstack
    /// `[plugin.tools]`: hook name → the MCP tool that serves it.
    public var toolHooks: [String: String] = [:]
    public var metadata: JSONObject = [:]
    /// `x-*` keys: ADR-0001's extension point, kept as written and not interpreted.
    public var extensions: JSONObject = [:]
    public var chainWrap: ChainWrap?
    /// Where the manifest came from: the file path, or a description for manifests built in code.
    public var source: String

    public init(
        name: String, kind: String, runtime: Runtime = .inProcess, priority: Int = 0,
        coreVersion: String = ">=0.1.0,<1.0.0", dependsOn: [String] = [], source: String = "<code>"
    ) {
        self.name = name
        self.kind = kind
        self.runtime = runtime
        runtimes = [runtime]
        self.priority = priority
        self.coreVersion = coreVersion
        self.dependsOn = dependsOn
        self.source = source
    }

    /// A plugin that wraps other hooks rather than taking part in one kind's dispatch.
    public var isMiddleware: Bool { chainWrap != nil }
}
