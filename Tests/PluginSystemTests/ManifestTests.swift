import Testing
@testable import PluginSystem

@Suite struct ManifestTests {
    static let seedChunker = seedChunkerManifest

    @Test func acceptsTheSeedChunkerManifestVerbatim() throws {
        let m = try ManifestLoader.parse(toml: Self.seedChunker, source: "fixed/dagstack.toml")
        #expect(m.name == "fixed")
        #expect(m.kind == "chunker")
        #expect(m.runtime == .inProcess)
        #expect(m.entryPoint == "plugin:FixedChunker")
        #expect(m.version == "0.1.0")
        #expect(m.description == "Fixed chunker — splits text into pieces of equal length.")
        #expect(m.executionModel == .sync)
        #expect(m.resources.required == ["clock"])
        // Defaults of spec-notes §2.2.
        #expect(m.schemaVersion == "1")
        #expect(m.kindAPIVersion == "1")
        #expect(m.priority == 0)
        #expect(m.startupTimeoutSec == 30)
        #expect(m.teardownTimeoutSec == 15)
        #expect(m.unitOfWork.idempotencyMode == .none)
        #expect(m.chainWrap == nil)
    }

    @Test func acceptsTheFlatLayout() throws {
        let m = try ManifestLoader.parse(toml: """
            name = "flat"
            kind = "k"
            runtime = "mcp_stdio"
            core_version = ">=0.1"
            command = ["./server", "--flag"]
            env = { MODE = "test" }
            [metadata]
            owner = "team"
            """, source: "flat.toml")
        #expect(m.command == ["./server", "--flag"])
        #expect(m.env == ["MODE": "test"])
        #expect(m.metadata == ["owner": "team"])
    }

    @Test func readsMiddlewareChainWrapAndKeepsMetadata() throws {
        let m = try ManifestLoader.parse(toml: """
            [plugin]
            name = "governance"
            kind = "horizontal_middleware"
            runtime = "in_process"
            core_version = ">=0.1.0,<1.0.0"
            priority = 1000 # horizontal range
            [plugin.chain_wrap]
            kinds = ["*"]
            hooks = ["*"]
            [plugin.metadata]
            samples = [{ text = "x" }]
            """, source: "g.toml")
        #expect(m.chainWrap == PluginManifest.ChainWrap(kinds: ["*"], hooks: ["*"]))
        #expect(m.chainWrap!.wraps(kind: "query_rewriter", hook: "rewrite"))
        #expect(m.metadata == ["samples": [["text": "x"]]])
    }

    @Test func unitOfWorkAndResourcesSections() throws {
        let m = try ManifestLoader.parse(toml: """
            [plugin]
            name = "u"
            kind = "k"
            runtime = "in_process"
            core_version = ""
            [plugin.resources]
            optional = ["rng"]
            [plugin.unit_of_work]
            declared = true
            partition_key = "day"
            estimated_duration_sec = 5
            idempotency_mode = "output_hash"
            checkpointable = true
            """, source: "u.toml")
        #expect(m.resources.optional == ["rng"])
        #expect(m.unitOfWork.declared && m.unitOfWork.checkpointable)
        #expect(m.unitOfWork.partitionKey == "day")
        #expect(m.unitOfWork.estimatedDurationSec == 5)
        #expect(m.unitOfWork.idempotencyMode == .outputHash)
    }

    func message(_ toml: String) -> String {
        do {
            _ = try ManifestLoader.parse(toml: toml, source: "p/dagstack.toml")
            return "accepted"
        } catch {
            #expect(error.code == .manifestInvalid)
            return error.message
        }
    }

    let head = """
        [plugin]
        name = "p"
        kind = "k"
        runtime = "in_process"
        core_version = ">=0.1"

        """

    @Test func unknownKeysAreNamedWithTheirPath() {
        #expect(message(head + "colour = \"red\"\n[plugin.resources]\nrequired = []\nshared = [\"x\"]") ==
            "Invalid manifest at p/dagstack.toml: plugin.colour: unknown key (extra inputs are not permitted); plugin.resources.shared: unknown key (extra inputs are not permitted)")
    }

    @Test func wrongTypesAndRangesAreNamed() {
        #expect(message(head + "priority = \"50\"") ==
            "Invalid manifest at p/dagstack.toml: plugin.priority: expected an integer, got string \"50\"")
        #expect(message(head + "priority = -1") == "Invalid manifest at p/dagstack.toml: plugin.priority: must be at least 0, got -1")
        #expect(message(head + "startup_timeout_sec = 0") ==
            "Invalid manifest at p/dagstack.toml: plugin.startup_timeout_sec: must be greater than 0, got 0")
        #expect(message(head + "depends_on = [\"a\", 3]") ==
            "Invalid manifest at p/dagstack.toml: plugin.depends_on.1: expected a plugin name or a {kind, name} table, got integer 3")
        #expect(message(head + "execution_model = \"fast\"") ==
            "Invalid manifest at p/dagstack.toml: plugin.execution_model: must be one of 'async', 'sync', 'thread_cpu_bound', 'process_cpu_bound', got 'fast'")
        #expect(message(head + "[plugin.unit_of_work]\nidempotency_mode = \"content_hash\"") ==
            "Invalid manifest at p/dagstack.toml: plugin.unit_of_work.idempotency_mode: must be one of 'output_hash', 'input_hash', 'none', got 'content_hash'")
        #expect(message(head + "created = 2024-01-01") ==
            "Invalid manifest at p/dagstack.toml: plugin.created: date/time values are not allowed here; plugin.created: unknown key (extra inputs are not permitted)")
    }

    @Test func missingRequiredFieldsAreAllListed() {
        #expect(message("[plugin]\nname = \"p\"") ==
            "Invalid manifest at p/dagstack.toml: plugin.kind: field required; plugin.core_version: field required; plugin.runtime: field required")
        #expect(message("[plugin]\nname = \"p\"\nkind = \"k\"\ncore_version = \"\"\nruntime = 3") ==
            "Invalid manifest at p/dagstack.toml: plugin.runtime: expected one of 'in_process', 'mcp_stdio', 'mcp_http' or a non-empty array of them, got integer 3")
    }

    @Test func crossFieldRules() {
        #expect(message(head + "tryfirst = true\ntrylast = true") ==
            "Invalid manifest at p/dagstack.toml: plugin.trylast: tryfirst and trylast cannot both be true")
        #expect(message(head.replacingOccurrences(of: "in_process", with: "mcp_http")) ==
            "Invalid manifest at p/dagstack.toml: plugin.endpoint: required when runtime is 'mcp_http' (or url in [plugin.mcp_http])")
        #expect(message(head + "endpoint = \"http://x\"") ==
            "Invalid manifest at p/dagstack.toml: plugin.endpoint: only allowed when runtime is 'mcp_http'")
        #expect(message(head.replacingOccurrences(of: "in_process", with: "mcp_stdio")).hasPrefix(
            "Invalid manifest at p/dagstack.toml: plugin.command: required when runtime is 'mcp_stdio'"))
    }

    @Test func malformedTOMLGivesLineAndColumn() {
        let text = message("[plugin]\nname = \"p\"\nkind = = \"k\"\n")
        #expect(text.hasPrefix("Malformed TOML at p/dagstack.toml:3:"), "\(text)")
    }

    /// toml++ says what it met where the closing quote should have been (the line's end: "unescaped
    /// control characters …"; the file's: "encountered end-of-file"); the message says the string
    /// was left open, where it opens.
    @Test func anUnterminatedStringIsSaidSoWhereItOpens() {
        #expect(message("[plugin]\nname = \"tagger\nkind = \"k\"\n") ==
            #"Malformed TOML at p/dagstack.toml:2:8: unterminated string: the line ends before its closing ""#)
        #expect(message("[plugin]\nkind = \"k\"\nname = \"tagger") ==
            #"Malformed TOML at p/dagstack.toml:3:8: unterminated string: the line ends before its closing ""#)
        #expect(message("[plugin]\nname = 'tagger\nkind = \"k\"\n") ==
            "Malformed TOML at p/dagstack.toml:2:8: unterminated string: the line ends before its closing '")
        #expect(message("[plugin] # \"quoted\nname = \"a\\\"b\" # 'x\nkind = \"tag\\\"ger\r\nx = 1\n") ==
            #"Malformed TOML at p/dagstack.toml:3:8: unterminated string: the line ends before its closing ""#)
        #expect(message("[plugin]\ndescription = \"\"\"one\ntwo\"\"\"\nname = \"\"\"tagger\nkind = \"k\"\n") ==
            #"Malformed TOML at p/dagstack.toml:4:8: unterminated multi-line string: the file ends before its closing """"#)
        // A control character inside a string that is closed: toml++'s own words are right.
        #expect(message("[plugin]\nname = \"ta\u{1}g\"\n") ==
            "Malformed TOML at p/dagstack.toml:2:11: Error while parsing string: unescaped control characters other than TAB (U+0009) are explicitly prohibited")
    }

    @Test func missingFileIsNamed() {
        #expect(throws: DagstackError(.manifestInvalid, "Manifest file not found: /nonexistent/dagstack.toml")) {
            try ManifestLoader.load(file: "/nonexistent/dagstack.toml")
        }
    }
}
