import Foundation
import Synchronization
import Inspector
import PluginHosts
import PluginSystem
import Testing
import TestSupport

/// What plugin code reaches through the console: other plugins (`ctx.registry.get_plugin`), its
/// configuration section, and the http_client and blob_store resources.
@Suite(.serialized) struct PluginServicesTests {
    /// An mcp_stdio plugin in Python that answers `charge` and, asked to, calls back into the console.
    static let stdioPayment = #"""
        import json, sys
        def send(m):
            sys.stdout.write(json.dumps(m) + "\n"); sys.stdout.flush()
        for line in sys.stdin:
            req = json.loads(line)
            method, rid = req.get("method"), req.get("id")
            if method == "initialize":
                send({"jsonrpc": "2.0", "id": rid, "result": {"hooks": ["charge"]}})
            elif method == "charge":
                amount = req["params"].get("amount_cents")
                send({"jsonrpc": "2.0", "id": rid, "result": {"transaction_id": "tx-%s" % amount, "by": "stdio"}})
            elif method == "shutdown":
                send({"jsonrpc": "2.0", "id": rid, "result": None}); break
        """#

    func orderDirectory() -> TempDir {
        let dir = TempDir()
        dir.plugin("stripe", name: "stripe", kind: "payment_provider", priority: 50, runtime: "mcp_stdio", extra: "command = [\"python3\", \"server.py\"]")
        dir.write("stripe/server.py", Self.stdioPayment)
        dir.plugin("local-pay", name: "local-pay", kind: "payment_provider", priority: 10)
        dir.write("local-pay/plugin.py", "class LocalPay:\n    def charge(self, amount_cents):\n        return {'transaction_id': 'local', 'by': 'python'}\n")
        dir.write("order/dagstack.toml", """
            [plugin]
            name = "default"
            kind = "order_processor"
            runtime = "in_process"
            core_version = ">=0.1.0,<1.0.0"
            [[plugin.depends_on]]
            kind = "payment_provider"
            name = "stripe"
            """)
        dir.write("order/plugin.py", """
            from dagstack.plugin_system import KindUnknown, AmbiguousPlugin

            class DefaultOrderProcessor:
                async def setup(self, context):
                    self._payment = context.registry.get_plugin("payment_provider", name="stripe")
                    self._local = context.registry.get_plugin("payment_provider", name="local-pay")
                    self._chosen = context.registry.get_plugin("payment_provider")
                    try:
                        context.registry.get_plugin("embedder")
                    except KindUnknown as exc:
                        self._missing = str(exc)

                def process(self, order):
                    total = sum(item.price * item.quantity for item in order.items)
                    result = self._payment.charge(amount_cents=int(total * 100))
                    return {"order_id": order.id, "transaction_id": result.transaction_id,
                            "local_is_instance": type(self._local).__name__, "chosen": repr(self._chosen), "missing": self._missing}
            """)
        return dir
    }

    @Test func getPluginGivesTheInstanceInTheSameInterpreterAndAProxyAcrossRuntimes() async throws {
        let dir = orderDirectory()
        let loaded = await PluginDirectory.load(dir.path)
        #expect(loaded.registry.records.map { "\($0.name):\($0.state.name)" }.sorted() == ["default:active", "local-pay:active", "stripe:active"])
        let collector = Collector()
        loaded.registry.addObserver(collector)
        let answer = try await SingletonDispatcher(loaded.registry).dispatch(
            "order_processor", "process", HookArguments([["id": 7, "items": [["price": 2.5, "quantity": 2]]]]))
        #expect(answer.reply.output.value == [
            "order_id": 7, "transaction_id": "tx-500", "local_is_instance": "LocalPay",
            "chosen": "<plugin 'stripe' of kind 'payment_provider', in another runtime: its hooks run through the console>",
            "missing": "No plugins registered for kind 'embedder'",
        ])
        // The proxied call ran through the registry: observers saw it nested in the caller's.
        #expect(collector.events.withLock { $0 }.map { "\($0.plugin).\($0.hook) \($0.role)" }
            == ["stripe.charge nested(calledBy: \"default\")", "default.process hook"])
        #expect(answer.reply.logs.map(\.stream) == ["call"])
        #expect(answer.reply.logs.first?.text.hasPrefix("stripe.charge → {\"transaction_id\":\"tx-500\",\"by\":\"stdio\"}") == true)
        await loaded.close()
    }

    @Test func getPluginWithoutANameFollowsTheSingletonRule() async throws {
        let dir = TempDir()
        for (name, priority) in [("a", 10), ("b", 10), ("c", 5)] {
            dir.plugin(name, name: name, kind: "embedder", priority: priority)
            dir.write("\(name)/plugin.py", "class E:\n    def embed(self, text):\n        return '\(name)'\n")
        }
        dir.plugin("user", name: "user", kind: "search")
        dir.write("user/plugin.py", """
            class Search:
                async def setup(self, ctx):
                    ctx.registry.get_plugin("embedder")
            """)
        let loaded = await PluginDirectory.load(dir.path)
        let reason = loaded.registry.record(named: "user")?.state.reason ?? ""
        #expect(reason.contains("AmbiguousPlugin: Multiple plugins registered for kind='embedder' with the top priority 10: ['a', 'b']. Specify name= to disambiguate, or set DAGSTACK_ACTIVE_EMBEDDER."), "\(reason)")
        await loaded.close()
    }

    @Test func eachPluginGetsItsConfigSectionValidatedAndAnUnsetVariableStopsTheLoad() async throws {
        let dir = TempDir()
        dir.write("app-config.yaml", """
            payment_provider:
              stripe:
                base_url: "${STRIPE_BASE_URL:-https://api.stripe.com/v1}"
                api_key: "${STRIPE_API_KEY}"
                timeout_s: 30
            """)
        dir.plugin("stripe", name: "stripe", kind: "payment_provider")
        dir.write("stripe/plugin.py", """
            class StripeConfig:
                @classmethod
                def model_validate(cls, data):
                    if not data.get("api_key"):
                        raise Invalid([{"loc": ("api_key",), "msg": "String should have at least 1 character"}])
                    return data

            class Invalid(Exception):
                def __init__(self, errors):
                    super().__init__("invalid")
                    self._errors = errors
                def errors(self):
                    return self._errors

            class StripeProvider:
                config_schema = StripeConfig
                async def setup(self, context):
                    self.config = dict(context.config)
                def settings(self):
                    return self.config
            """)
        var options = PluginDirectory.Options()
        options.environment = ["STRIPE_API_KEY": "sk_test_123"]
        let loaded = await PluginDirectory.load(dir.path, options: options)
        let settings = try await SingletonDispatcher(loaded.registry).dispatch("payment_provider", "settings")
        #expect(settings.reply.output.value == ["base_url": "https://api.stripe.com/v1", "api_key": "sk_test_123", "timeout_s": 30])
        await loaded.close()

        options.environment = ["STRIPE_API_KEY": ""]
        let invalid = await PluginDirectory.load(dir.path, options: options)
        #expect(invalid.registry.record(named: "stripe")?.state == .failed(DagstackError(
            .manifestInvalid,
            "Invalid config for plugin 'stripe': payment_provider.stripe.api_key: String should have at least 1 character — payment_provider.stripe.api_key set at \(dir.path)/app-config.yaml:4 (from $STRIPE_API_KEY)",
            plugin: "stripe")), "\(invalid.registry.record(named: "stripe")?.state ?? .registered)")
        await invalid.close()

        options.environment = [:]
        let unresolved = await PluginDirectory.load(dir.path, options: options)
        #expect(unresolved.problems.map(\.error.code) == [.configError])
        #expect(unresolved.problems.first?.error.message.contains("env variable 'STRIPE_API_KEY' is not set") == true)
        #expect(unresolved.registry.record(named: "stripe")?.state.name == "unavailable")
        await unresolved.close()
    }

    @Test func theHTTPClientGoesThroughTheConsoleAndShowsTheExchangeWithSecretsMasked() async throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let dir = TempDir()
        dir.plugin("fetch", name: "fetch", kind: "fetcher", extra: "[plugin.resources]\nrequired = [\"http_client\", \"blob_store\"]\noptional = [\"postgres\"]")
        dir.write("fetch/plugin.py", """
            class Fetcher:
                def setup(self, ctx):
                    self.http = ctx.resources.http_client
                    self.blobs = ctx.resources.blob_store
                    self.pg = ctx.resources.postgres
                async def fetch(self, url):
                    response = await self.http.post(url, json={"q": 1, "api_key": "sk-secret"}, headers={"Authorization": "Bearer sk-secret"})
                    response.raise_for_status()
                    await self.blobs.put("last", response.content, content_type="application/json")
                    stored = await self.blobs.get("last")
                    return {"status": response.status_code, "echo": response.json(), "stored": len(stored),
                            "keys": await self.blobs.list(), "pg": self.pg}
            """)
        let loaded = await PluginDirectory.load(dir.path)
        let reply = try await SingletonDispatcher(loaded.registry).dispatch("fetcher", "fetch", HookArguments([.string(server.url + "/echo")])).reply
        #expect(reply.output.value?["status"] == 200)
        #expect(reply.output.value?["echo"]?["body"] == #"{"q": 1, "api_key": "sk-secret"}"#)
        #expect(reply.output.value?["keys"] == ["last"])
        #expect(reply.output.value?["pg"] == .null)
        let http = reply.logs.filter { $0.stream == "http" }.map(\.text)
        #expect(http.count == 2)
        #expect(http.first?.hasPrefix("→ POST \(server.url)/echo") == true)
        #expect(http.first?.contains("Authorization: [MASKED]") == true)
        #expect(http.first?.contains(#""api_key":"[MASKED]""#) == true)
        #expect(!http.joined().contains("Bearer sk-secret"))
        #expect(http.last?.hasPrefix("← 200 OK") == true)
        let folder = try #require(loaded.registry.resources.get("blob_store").flatMap { if case .blobStore(let b) = $0 { b.descriptor["path"]?.stringValue } else { nil } })
        #expect(FileManager.default.fileExists(atPath: folder))
        await loaded.close()
        #expect(!FileManager.default.fileExists(atPath: folder))
    }
}

final class Collector: HookObserver {
    let events = Mutex<[HookEvent]>([])
    func hookDidRun(_ event: HookEvent) { events.withLock { $0.append(event) } }
}

/// An HTTP server on 127.0.0.1 for one test: it answers every POST with what it received. It exits
/// when its standard input closes, so it never outlives a test process that crashed (an orphan holding
/// the test's stderr would keep the test runner waiting for ever).
final class LocalHTTPServer: @unchecked Sendable {
    let process = Process()
    let url: String

    init() throws {
        let script = """
            import http.server, json, os, sys, threading
            threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                    out = json.dumps({"body": body}).encode()
                    self.send_response(200); self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(out))); self.end_headers(); self.wfile.write(out)
                def log_message(self, *a):
                    pass
            s = http.server.HTTPServer(("127.0.0.1", 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = Pipe()
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(0x0A) { line += out.fileHandleForReading.availableData }
        url = "http://127.0.0.1:" + String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func stop() {
        // SIGKILL: the test process may have SIGTERM blocked, and a child inherits that mask.
        kill(process.processIdentifier, SIGKILL)
        // Not waitUntilExit(): off the main thread it spins (see `run` in TestSupport).
        while process.isRunning { usleep(1_000) }
    }
}
