import Foundation
import Testing
@testable import PluginSystem

/// The manifest forms the reference pages document (reference/manifest-schema, concepts/runtimes,
/// guides/lifecycle, guides/dependencies), which the Python reference rejects.
@Suite struct DocumentedManifestTests {
    func parse(_ text: String) throws(DagstackError) -> PluginManifest {
        try ManifestLoader.parse(toml: text, source: "p/dagstack.toml")
    }

    func problem(_ text: String) -> String {
        do {
            _ = try parse(text)
            return "no error"
        } catch { return error.message }
    }

    @Test func theManifestSchemaPagesFullExampleLoadsAsWritten() throws {
        let m = try parse("""
            [plugin]
            schema_version = "1"
            name = "advanced-chunker"
            kind = "chunker"
            runtime = ["in_process", "mcp_stdio"]
            core_version = ">=0.1.0,<1.0.0"
            entry_point = "plugin:AdvancedChunker"
            version = "1.2.0"
            description = "Tree-sitter-based semantic chunker with a length fallback."
            authors = ["dagstack"]
            license = "Apache-2.0"

            priority = 50
            depends_on = ["tokenizer"]
            execution_model = "thread_cpu_bound"

            supports_languages = ["python", "typescript", "go"]
            supports_extensions = [".py", ".ts", ".go"]
            fallback = false

            [plugin.resources]
            required = ["clock"]
            optional = ["blob_store"]

            [plugin.unit_of_work]
            declared = true
            partition_key = "repo_id"
            idempotency_mode = "input_hash"
            checkpointable = true

            [plugin.mcp_stdio]
            command = ["python", "-m", "advanced_chunker.server"]
            startup_timeout_sec = 60

            [plugin.metadata]
            owner_team = "search-platform"
            runbook = "https://runbook.example.org/chunker"
            """)
        #expect(m.runtimes == [.inProcess, .mcpStdio])
        #expect(m.runtime == .inProcess)
        #expect(m.authors == ["dagstack"])
        #expect(m.command == ["python", "-m", "advanced_chunker.server"])
        #expect(m.startupTimeoutSec == 60)
        #expect(m.unitOfWork.partitionKey == "repo_id")
        #expect(m.metadata["owner_team"] == "search-platform")
    }

    @Test func aRuntimeArrayIsKeptInTheOrderTheHostTriesIt() throws {
        let m = try parse("""
            name = "x"
            kind = "k"
            runtime = ["mcp_http", "mcp_stdio"]
            core_version = ">=0.1"
            [mcp_stdio]
            command = ["./server"]
            [mcp_http]
            url = "http://127.0.0.1:9/mcp"
            auth_header = "Authorization"
            auth_secret_env = "TOKEN"
            timeout_sec = 10
            """)
        #expect(m.runtimes == [.mcpStdio, .mcpHttp])
        #expect(m.runtime == .mcpStdio)
        #expect(m.url == "http://127.0.0.1:9/mcp")
        #expect(m.mcpHttp.authSecretEnv == "TOKEN")
        #expect(m.mcpHttp.timeoutSec == 10)
        #expect(problem("name = \"x\"\nkind = \"k\"\ncore_version = \">=0.1\"\nruntime = [\"in-process\"]")
            == "Invalid manifest at p/dagstack.toml: runtime.0: must be one of 'in_process', 'mcp_stdio', 'mcp_http', got string \"in-process\"")
        #expect(problem("name = \"x\"\nkind = \"k\"\ncore_version = \">=0.1\"\nruntime = []")
            == "Invalid manifest at p/dagstack.toml: runtime: expected one of 'in_process', 'mcp_stdio', 'mcp_http' or a non-empty array of them, got an array")
    }

    @Test func mcpHttpHeadersAreReadAtTheTopLevelOrInTheSectionButNotBoth() throws {
        let base = "name = \"x\"\nkind = \"k\"\nruntime = \"mcp_http\"\ncore_version = \">=0.1\"\nendpoint = \"http://127.0.0.1:9/rpc\"\n"
        #expect(try parse(base + "headers = { X-Team = \"search\" }").httpHeaders == ["X-Team": "search"])
        #expect(try parse(base + "[mcp_http]\nheaders = { X-Team = \"ops\" }").httpHeaders == ["X-Team": "ops"])
        #expect(problem(base + "headers = { X-Team = \"a\" }\n[mcp_http]\nheaders = { X-Team = \"b\" }")
            == "Invalid manifest at p/dagstack.toml: mcp_http.headers: also set at the top level as 'headers'; set it in one place")
        #expect(problem(base + "headers = { X-Retries = 3 }")
            == "Invalid manifest at p/dagstack.toml: headers.X-Retries: expected a string, got integer 3")
    }

    @Test func dependsOnTablesNameTheKindAndMixWithNames() throws {
        let m = try parse("""
            [plugin]
            name = "cross-encoder"
            kind = "reranker"
            runtime = "in_process"
            core_version = ">=0.1.0,<1.0.0"

            [[plugin.depends_on]]
            kind = "embedder"
            name = "openai_compatible"
            """)
        #expect(m.dependsOn == ["openai_compatible"])
        #expect(m.dependencyKinds == ["openai_compatible": "embedder"])
        let mixed = try parse("name = \"a\"\nkind = \"k\"\nruntime = \"in_process\"\ncore_version = \">=0.1\"\ndepends_on = [\"b\", { kind = \"k2\", name = \"c\" }]")
        #expect(mixed.dependsOn == ["b", "c"])
        #expect(problem("name = \"a\"\nkind = \"k\"\nruntime = \"in_process\"\ncore_version = \">=0.1\"\ndepends_on = [{ kind = \"k2\" }]")
            == "Invalid manifest at p/dagstack.toml: depends_on.0.name: field required")
    }

    @Test func theNamePatternAndTheEntryPointFormatAreEnforced() {
        #expect(problem("name = \"My Plugin\"\nkind = \"k\"\nruntime = \"in_process\"\ncore_version = \">=0.1\"")
            == "Invalid manifest at p/dagstack.toml: name: 'My Plugin' does not match the name pattern: lower-case letters, digits, '-' and '_' only")
        #expect(problem("name = \"p\"\nkind = \"k\"\nruntime = \"in_process\"\ncore_version = \">=0.1\"\nentry_point = \"plugin.P\"")
            == "Invalid manifest at p/dagstack.toml: entry_point: 'plugin.P' is not of the form 'module:ClassName' (e.g. \"plugin:MyPlugin\")")
        // For mcp_stdio, entry_point is the command to run (the reference's fallback).
        #expect(problem("name = \"p\"\nkind = \"k\"\nruntime = \"mcp_stdio\"\ncore_version = \">=0.1\"\nentry_point = \"./server.py\"") == "no error")
    }

    @Test func aSettingGivenTwiceIsAnErrorNotAChoice() {
        #expect(problem("name = \"p\"\nkind = \"k\"\nruntime = \"mcp_stdio\"\ncore_version = \">=0.1\"\ncommand = [\"a\"]\n[mcp_stdio]\ncommand = [\"b\"]")
            == "Invalid manifest at p/dagstack.toml: mcp_stdio.command: also set at the top level as 'command'; set it in one place")
    }

    @Test func unitOfWorkContentHashIsAListOfFields() throws {
        let m = try parse("name = \"p\"\nkind = \"k\"\nruntime = \"in_process\"\ncore_version = \">=0.1\"\n[unit_of_work]\ncontent_hash = [\"text\", \"lang\"]")
        #expect(m.unitOfWork.contentHash == ["text", "lang"])
    }

    @Test func dagstackJSONAndPyprojectAreManifestsToo() throws {
        let dir = TempDir()
        dir.write("plugins/ts/dagstack.json", #"{"plugin": {"name": "tree-sitter", "kind": "chunker", "runtime": "in_process", "core_version": ">=0.1.0", "priority": 50}}"#)
        dir.write("plugins/py/pyproject.toml", """
            [project]
            name = "pkg"
            [tool.dagstack.plugin]
            name = "packaged"
            kind = "chunker"
            runtime = "in_process"
            core_version = ">=0.1.0"
            priority = "high"
            """)
        dir.write("plugins/plain/pyproject.toml", "[project]\nname = \"not-a-plugin\"\n")
        dir.write("plugins/both/dagstack.toml", "name = \"both\"\nkind = \"chunker\"\nruntime = \"in_process\"\ncore_version = \">=0.1\"")
        dir.write("plugins/both/dagstack.json", #"{"name": "ignored"}"#)
        let result = try Discovery.discover(dir.path + "/plugins")
        #expect(result.plugins.map(\.manifest.name) == ["tree-sitter", "both"])
        #expect(result.skipped.map(\.error.message) == [
            "Invalid manifest at \(dir.path)/plugins/py/pyproject.toml: tool.dagstack.plugin.priority: expected an integer, got string \"high\"",
        ])
        #expect(result.warnings == ["\(dir.path)/plugins/both: dagstack.json ignored: dagstack.toml takes precedence (reference/manifest-schema)"])
        #expect(result.scanned == 3)
    }
}

@Suite struct DocumentedLifecycleTests {
    @Test func setUpRunsInProcessThenStdioThenHTTPWithinWhatDependsOnAllows() async throws {
        func m(_ name: String, _ runtime: PluginManifest.Runtime, priority: Int = 0, dependsOn: [String] = []) -> PluginManifest {
            PluginManifest(name: name, kind: "k", runtime: runtime, priority: priority, dependsOn: dependsOn)
        }
        let order = try TopologicalOrder.sort([
            m("remote", .mcpHttp, priority: 100), m("child", .mcpStdio, priority: 90), m("local-low", .inProcess),
            m("local-high", .inProcess, priority: 50), m("needs-child", .inProcess, priority: 99, dependsOn: ["child"]),
        ], byRuntime: true).map(\.name)
        #expect(order == ["local-high", "local-low", "child", "needs-child", "remote"])
        // What setupAll does with it.
        let log = CallLog()
        let registry = PluginRegistry()
        for (name, runtime, priority) in [("stdio", PluginManifest.Runtime.mcpStdio, 100), ("swift", .inProcess, 0)] {
            try registry.register(
                PluginManifest(name: name, kind: "k", runtime: runtime, priority: priority),
                instance: SwiftPlugin(hooks: [:], setup: { _ in log.add(name) }))
        }
        try await registry.setupAll()
        #expect(log.all == ["swift", "stdio"])
    }

    @Test func aMissingRequiredResourceLeavesThePluginUnavailableWithTheReason() async throws {
        let registry = PluginRegistry()
        var m = manifest("needs-http")
        m.resources.required = ["http_client"]
        try registry.register(m, instance: SwiftPlugin(hooks: [:]))
        try await registry.setupAll()
        #expect(registry.record(named: "needs-http")?.state
            == .unavailable("Plugin 'needs-http' requires resource 'http_client', but host registered only: []"))
    }

    @Test func aDependencyOfTheWrongKindIsNotSilentlyAccepted() async throws {
        let registry = PluginRegistry()
        try registry.register(manifest("stripe", kind: "payment_provider"), instance: SwiftPlugin(hooks: [:]))
        var orders = manifest("default", kind: "order_processor", dependsOn: ["stripe"])
        orders.dependencyKinds = ["stripe": "embedder"]
        try registry.register(orders, instance: SwiftPlugin(hooks: [:]))
        try await registry.setupAll()
        #expect(registry.record(named: "default")?.state
            == .unavailable("depends on embedder 'stripe', but 'stripe' is a plugin of kind 'payment_provider'"))
    }

    @Test func kindAPIVersionIsComparedWithTheKindsHookspec() throws {
        let registry = PluginRegistry()
        registry.kinds.register(KindSpec(kind: "chunker", kindAPIVersion: "1.0.0", hooks: [HookSpec(name: "chunk", dispatch: .singleton)], source: "kinds/chunker/v1.yaml"))
        var ok = manifest("ok", kind: "chunker")
        ok.kindAPIVersion = "1"
        try registry.register(ok, instance: SwiftPlugin(hooks: [:]))
        var old = manifest("future", kind: "chunker")
        old.kindAPIVersion = "2"
        #expect(throws: DagstackError(
            .versionIncompatible,
            "Plugin 'future' implements kind 'chunker' API version 2, but the kind's hookspec (kinds/chunker/v1.yaml) is version 1.0.0; the major versions must match",
            plugin: "future")) { try registry.register(old, instance: SwiftPlugin(hooks: [:])) }
        // A kind without a hookspec is opaque: any version is accepted.
        var opaque = manifest("opaque", kind: "other")
        opaque.kindAPIVersion = "7"
        try registry.register(opaque, instance: SwiftPlugin(hooks: [:]))
    }
}
