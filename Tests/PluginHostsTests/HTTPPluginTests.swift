import Foundation
import PluginHosts
import PluginSystem
import Testing
import TestSupport

/// `runtime = "mcp_http"` against a JSON-RPC over HTTP service on 127.0.0.1 started by each test.
@Suite(.serialized) struct HTTPPluginTests {
    static let token = "tk-9f1c3e7a55d2-secret"
    static let query: JSONValue = ["text": "how to launch dagstak?"]

    /// A directory with one mcp_http plugin `remote` of kind `query_rewriter` reaching `url`.
    static func directory(_ url: String, extra: String = "") -> TempDir {
        let dir = TempDir()
        dir.plugin("remote", name: "remote", kind: "query_rewriter", runtime: "mcp_http", extra: """
            endpoint = "\(url)"
            auth = { token = "\(token)" }
            headers = { X-Team = "search" }
            \(extra)
            """)
        return dir
    }

    static func load(_ dir: TempDir, callTimeout: Double = 5) async -> PluginDirectory {
        var options = PluginDirectory.Options()
        options.callTimeout = callTimeout
        return await PluginDirectory.load(dir.path, options: options)
    }

    static func call(_ dir: PluginDirectory, _ hook: String) async -> Result<HookReply, DagstackError> {
        do {
            return .success(try await SingletonDispatcher(dir.registry).dispatch("query_rewriter", hook, HookArguments([query])).reply)
        } catch { return .failure(error) }
    }

    /// Log lines with their timings (which vary) written as `T`.
    static func normalized(_ logs: [PluginLog]) -> [String] {
        logs.map { log in
            log.stream + ": " + log.text.replacingOccurrences(of: #"\(\d+(\.\d)? ms"#, with: "(T ms", options: .regularExpression)
        }
    }

    /// The wire form of a `query_rewriter.<hook>` call with the test query.
    static func body(_ hook: String, id: Int) -> String {
        #"{"jsonrpc":"2.0","method":"\#(hook)","params":{"_args":[{"text":"how to launch dagstak?"}],"_ctx":{"plugin":"remote","kind":"query_rewriter","hook":"\#(hook)","metadata":{}}},"id":\#(id)}"#
    }

    static let headers = "Content-Type: application/json; X-Team: search; Authorization: [MASKED]"

    @Test func aChainStageIsAPostOverOneKeptAliveConnection() async throws {
        let server = try await JSONRPCTestServer.start()
        let tmp = Self.directory(server.url)
        let dir = await Self.load(tmp)
        #expect(dir.registry.record(named: "remote")?.state == .active)
        let outcome = try await ChainDispatcher(dir.registry).dispatch("query_rewriter", "rewrite", initial: Self.query)
        #expect(outcome.value == ["text": "how to launch dagstack?", "rewritten_by": "remote"])
        let reply = try await Self.call(dir, "rewrite").get()
        #expect(Self.normalized(reply.logs) == [
            "http: → POST \(server.url) rewrite (id 3) \(Self.headers) \(Self.body("rewrite", id: 3))",
            #"http: ← 200 OK (T ms, connection reused, 100 bytes) {"jsonrpc":"2.0","id":3,"result":{"text":"how to launch dagstack?","rewritten_by":"remote"}}"#,
        ])
        await dir.close()
        let requests = server.requests()
        #expect(requests.map { $0["method"]?.stringValue } == ["initialize", "rewrite", "rewrite", "shutdown"])
        #expect(requests.map { $0["id"]?.intValue } == [1, 2, 3, 4])
        #expect(Set(requests.map { $0["authorization"] }) == [.string("Bearer \(Self.token)")])
        #expect(Set(requests.map { $0["x_team"] }) == ["search"])
        // Keep-alive: every request came over the same connection (the same client port).
        #expect(Set(requests.map { $0["port"] }).count == 1)
        // initialize carries the reference's capabilities and the console's dagstack block.
        #expect(requests[0]["params"]?["capabilities"] == [:])
        #expect(requests[0]["params"]?["dagstack"]?["plugin"] == "remote")
        #expect(requests[3]["params"] == [:])
    }

    @Test func a503TwiceThen200IsThreeAttemptsWithTheSameID() async throws {
        let server = try await JSONRPCTestServer.start()
        let tmp = Self.directory(server.url)
        let dir = await Self.load(tmp)
        let started = ContinuousClock.now
        let reply = try await Self.call(dir, "flaky").get()
        let elapsed = ContinuousClock.now - started
        #expect(reply.output == .value(["attempt": 3]))
        #expect(elapsed >= .milliseconds(1500))
        #expect(Self.normalized(reply.logs) == [
            "http: → POST \(server.url) flaky (id 2) \(Self.headers) \(Self.body("flaky", id: 2))",
            "http: ← 503 Service Unavailable (T ms, connection reused, 4 bytes) busy",
            "http:   retrying in 0.5s with the same id",
            "http: → POST \(server.url) flaky (id 2, attempt 2 of 3)",
            "http: ← 503 Service Unavailable (T ms, connection reused, 4 bytes) busy",
            "http:   retrying in 1s with the same id",
            "http: → POST \(server.url) flaky (id 2, attempt 3 of 3)",
            #"http: ← 200 OK (T ms, connection reused, 53 bytes) {"jsonrpc":"2.0","id":2,"result":{"attempt":3}}"#,
        ])
        let flaky = server.requests().filter { $0["method"] == "flaky" }
        #expect(flaky.map { $0["id"] } == [2, 2, 2])
        #expect(flaky.map { $0["attempt"] } == [1, 2, 3])
        await dir.close()
    }

    @Test func always503FailsTheCallAfterThreeAttemptsAndThePluginStaysActive() async throws {
        let server = try await JSONRPCTestServer.start()
        let tmp = Self.directory(server.url)
        let dir = await Self.load(tmp)
        let error = try #require(await Self.call(dir, "down").failure)
        #expect(error.code == .pluginError)
        #expect(error.message == "Plugin 'remote' failed in query_rewriter.down: the service at \(server.url) answered 503 Service Unavailable 3 times (retried on 500/502/503/504)")
        #expect(error.logs.count == 8)
        #expect(dir.registry.record(named: "remote")?.state == .active)
        #expect(try await Self.call(dir, "rewrite").get().output.value?["rewritten_by"] == "remote")
        await dir.close()
    }

    @Test func aRefusedConnectionIsRetriedThenFailsTheSetUp() async throws {
        let port = closedLocalPort()
        let tmp = Self.directory("http://127.0.0.1:\(port)/rpc")
        let started = ContinuousClock.now
        let dir = await Self.load(tmp)
        #expect(ContinuousClock.now - started >= .milliseconds(1500))
        let record = try #require(dir.registry.record(named: "remote"))
        guard case .failed(let error) = record.state else { Issue.record("expected failed, got \(record.state)"); return }
        #expect(error.code == .pluginLoadError)
        #expect(error.message.hasPrefix(
            "MCP HTTP initialize handshake failed for http://127.0.0.1:\(port)/rpc: could not connect to http://127.0.0.1:\(port)/rpc (3 attempts): Failed to connect to 127.0.0.1 port \(port)"))
        #expect(error.logs.map(\.text).filter { $0.hasPrefix("← connection failed: ") }.count == 3)
        #expect(error.logs.map(\.text).filter { $0.hasPrefix("  retrying in") } == ["  retrying in 0.5s with the same id", "  retrying in 1s with the same id"])
        await dir.close()
    }

    @Test func aServiceThatGoesAwayMidSessionFailsTheCallNamingTheEndpoint() async throws {
        let server = try await JSONRPCTestServer.start()
        let tmp = Self.directory(server.url)
        let dir = await Self.load(tmp)
        server.stop()
        let error = try #require(await Self.call(dir, "rewrite").failure)
        #expect(error.code == .pluginError)
        #expect(error.exceptionType == "ConnectionError")
        #expect(error.message.hasPrefix("Plugin 'remote' failed in query_rewriter.rewrite: could not connect to \(server.url) (3 attempts): "))
        await dir.close()
    }

    @Test func aTimeoutIsNotRetriedAndTheNextCallWorks() async throws {
        let server = try await JSONRPCTestServer.start()
        let tmp = Self.directory(server.url, extra: "[plugin.mcp_http]\ntimeout_sec = 1")
        let dir = await Self.load(tmp)
        let started = ContinuousClock.now
        let error = try #require(await Self.call(dir, "slow").failure)
        #expect(ContinuousClock.now - started < .milliseconds(2500))
        #expect(error.code == .pluginTimeout)
        #expect(error.message == "Plugin 'remote' did not answer query_rewriter.slow within 1s (timeout_sec); not retried")
        #expect(Self.normalized(error.logs).last == "http: ← no answer within 1s (not retried)")
        #expect(server.requests().filter { $0["method"] == "slow" }.count == 1)
        #expect(dir.registry.record(named: "remote")?.state == .active)
        let next = try await Self.call(dir, "rewrite").get()
        #expect(next.output.value?["rewritten_by"] == "remote")
        // The timed-out connection was dropped: the next request opened a new one.
        #expect(next.logs.last?.text.contains("new connection") == true)
        await dir.close()
    }

    @Test(arguments: [
        ("garbage", PluginError(code: .pluginError, type: "ValueError",
            message: "Plugin 'remote' failed in query_rewriter.garbage: the service at URL did not answer with JSON-RPC: the body is not JSON: <html>not json</html>")),
        ("fail", PluginError(code: .pluginError, type: "ValueError",
            message: "Plugin 'remote' failed in query_rewriter.fail: ValueError: max_size must be positive (JSON-RPC error -32000)")),
        ("notfound", PluginError(code: .pluginError, type: nil,
            message: "Plugin 'remote' failed in query_rewriter.notfound: the service at URL answered 404 Not Found: no such method here")),
        ("leak", PluginError(code: .pluginError, type: nil,
            message: "Plugin 'remote' failed in query_rewriter.leak: refused credentials Bearer [MASKED] (JSON-RPC error -32001)")),
    ])
    func aBadAnswerIsTheCallsErrorAndThePluginStaysActive(hook: String, expected: PluginError) async throws {
        let server = try await JSONRPCTestServer.start()
        let tmp = Self.directory(server.url)
        let dir = await Self.load(tmp)
        let error = try #require(await Self.call(dir, hook).failure)
        #expect(error.code == expected.code)
        #expect(error.exceptionType == expected.type)
        #expect(error.message == expected.message.replacingOccurrences(of: "URL", with: server.url))
        #expect(server.requests().filter { $0["method"] == .string(hook) }.count == 1)
        #expect(dir.registry.record(named: "remote")?.state == .active)
        #expect(!error.message.contains(Self.token) && !error.logs.contains { $0.text.contains(Self.token) })
        await dir.close()
    }

    struct PluginError: Sendable {
        var code: DagstackError.Code
        var type: String?
        var message: String
    }

    @Test func theTokenComesFromAuthSecretEnvAndAnUnsetVariableIsNamed() async throws {
        let server = try await JSONRPCTestServer.start()
        let dir = TempDir()
        dir.plugin("remote", name: "remote", kind: "query_rewriter", runtime: "mcp_http", extra: """
            [plugin.mcp_http]
            url = "\(server.url)"
            auth_header = "X-Api-Key"
            auth_secret_env = "REMOTE_KEY"
            """)
        var options = PluginDirectory.Options()
        options.environment["REMOTE_KEY"] = "from-env-123"
        let loaded = await PluginDirectory.load(dir.path, options: options)
        #expect(loaded.registry.record(named: "remote")?.state == .active)
        await loaded.close()
        options.environment["REMOTE_KEY"] = nil
        let missing = await PluginDirectory.load(dir.path, options: options)
        guard case .failed(let error)? = missing.registry.record(named: "remote")?.state else { Issue.record("expected failed"); return }
        #expect(error.message == "Plugin 'remote': auth_secret_env names the environment variable REMOTE_KEY, which is not set")
        await missing.close()
    }

    static let certificate = packageRoot + "/Tests/Fixtures/mcp-servers/localhost-cert.pem"
    static let key = packageRoot + "/Tests/Fixtures/mcp-servers/localhost-key.pem"

    @Test func httpsTrustsTheCABundleAndRefusesAnUnknownCertificateWithoutRetrying() async throws {
        let server = try await JSONRPCTestServer.start(tls: (Self.certificate, Self.key))
        #expect(server.url.hasPrefix("https://127.0.0.1:"))
        let trusted = Self.directory(server.url, extra: "[plugin.mcp_http]\ntls_ca_bundle = \"\(Self.certificate)\"")
        let dir = await Self.load(trusted)
        #expect(dir.registry.record(named: "remote")?.state == .active)
        #expect(try await Self.call(dir, "rewrite").get().output.value?["rewritten_by"] == "remote")
        await dir.close()

        // The system's trust store does not know the test's certificate authority.
        let unknown = Self.directory(server.url)
        var options = PluginDirectory.Options()
        options.environment["REQUESTS_CA_BUNDLE"] = nil
        options.environment["SSL_CERT_FILE"] = nil
        let refused = await PluginDirectory.load(unknown.path, options: options)
        guard case .failed(let error)? = refused.registry.record(named: "remote")?.state else { Issue.record("expected failed"); return }
        #expect(error.message.hasPrefix("MCP HTTP initialize handshake failed for \(server.url): TLS with \(server.url) failed: SSL certificate problem: self-signed certificate"), "\(error.message)")
        #expect(error.logs.filter { $0.text.hasPrefix("→ POST") }.count == 1)
        await refused.close()

        // tls_verify = false: the connection is encrypted but the certificate is not checked.
        let unchecked = Self.directory(server.url, extra: "[plugin.mcp_http]\ntls_verify = false")
        let insecure = await PluginDirectory.load(unchecked.path, options: options)
        #expect(insecure.registry.record(named: "remote")?.state == .active)
        await insecure.close()
        #expect(server.requests().filter { $0["method"] == "initialize" }.count == 2)
    }

    @Test func theReferenceAdapterGetsTheSameResultsFromTheSameServer() async throws {
        let python = try referencePython()
        let hooks = ["rewrite", "flaky", "down", "slow", "garbage", "fail", "notfound"]
        // The reference, against a server of its own (attempts are counted per method and id).
        let theirs = try await JSONRPCTestServer.start()
        let script = packageRoot + "/Tests/Fixtures/mcp-servers/reference_http_client.py"
        let run = try await TestSupport.run(python, [script, theirs.url, Self.token, "1"] + hooks)
        #expect(run.status == 0, "\(run.stderr)")
        let reference = try run.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        theirs.stop()
        // This console, against another.
        let ours = try await JSONRPCTestServer.start()
        let tmp = Self.directory(ours.url, extra: "[plugin.mcp_http]\ntimeout_sec = 1")
        let dir = await Self.load(tmp)
        var mine: [Result<HookReply, DagstackError>] = []
        for hook in hooks { mine.append(await Self.call(dir, hook)) }
        await dir.close()
        ours.stop()

        #expect(reference.map { $0["method"]?.stringValue } == hooks)
        // The same values where both succeed.
        #expect(reference[0]["result"] == (try mine[0].get().output.value))
        #expect(reference[1]["result"] == (try mine[1].get().output.value))
        // The same failures where both fail, told apart the same way.
        #expect(reference[2]["error"] == "PluginLoadError")
        #expect(reference[2]["message"] == "MCP HTTP server returned 503 for method 'down'")
        #expect(mine[2].failure?.message.contains("answered 503 Service Unavailable 3 times") == true)
        #expect(reference[3]["error"] == "TimeoutError")
        #expect(mine[3].failure?.code == .pluginTimeout)
        #expect(reference[4]["error"] == "ValueError")
        #expect(mine[4].failure?.exceptionType == "ValueError")
        #expect(reference[5]["message"] == "MCP JSON-RPC error in method 'fail': [-32000] max_size must be positive (data: {'type': 'ValueError'})")
        #expect(mine[5].failure?.message.contains("max_size must be positive") == true)
        #expect(reference[6]["message"] == "MCP HTTP server returned 404 for method 'notfound': no such method here")
        #expect(mine[6].failure?.message.contains("404 Not Found: no such method here") == true)
        // The same requests on the wire: methods, ids, attempts, the Authorization header.
        func wire(_ server: JSONRPCTestServer) -> [JSONValue] {
            server.requests().map { ["method": $0["method"] ?? .null, "id": $0["id"] ?? .null, "attempt": $0["attempt"] ?? .null, "authorization": $0["authorization"] ?? .null] }
        }
        let (mineOnTheWire, theirsOnTheWire) = (wire(ours), wire(theirs))
        #expect(mineOnTheWire == theirsOnTheWire)
        #expect(mineOnTheWire.count == 13)  // initialize, 1 + 3 + 3 + 1 + 1 + 1 + 1 calls, shutdown
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
