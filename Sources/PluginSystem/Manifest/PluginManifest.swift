/// A validated `dagstack.toml`: every field of the reference model (spec-notes §2.2) with its
/// default, plus what the seeds use and the reference rejects (`version`, `description`,
/// `[plugin.metadata]` kept readable, `[plugin.chain_wrap]`).
public struct PluginManifest: Sendable, Equatable {
    public enum Runtime: String, Sendable, CaseIterable {
        case inProcess = "in_process"
        case mcpStdio = "mcp_stdio"
        case mcpHttp = "mcp_http"
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

    public var schemaVersion = "1"
    public var name: String
    public var kind: String
    public var kindAPIVersion = "1"
    public var coreVersion: String
    public var runtime: Runtime
    public var version: String?
    public var description: String?
    public var license: String?
    public var maintainer: String?
    public var homepage: String?
    public var capabilities: [String] = []
    public var priority = 0
    public var dependsOn: [String] = []
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
    public var metadata: JSONObject = [:]
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
        self.priority = priority
        self.coreVersion = coreVersion
        self.dependsOn = dependsOn
        self.source = source
    }

    /// A plugin that wraps other hooks rather than taking part in one kind's dispatch.
    public var isMiddleware: Bool { chainWrap != nil }
}
