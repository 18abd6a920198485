import Foundation
@testable import Console
import PluginSystem
import Testing
import TestSupport

/// What the console says about the documented runtime rules it follows: problems ADR-0002 stops a
/// core for are reported at load; broadcast_collect honours its error policy.
@Suite struct DocumentedRuntimeTests {
    func console(_ directory: String, _ commands: [String]) async throws -> (status: Int32, docs: [JSONValue], text: String) {
        var arguments = [directory, "--json"]
        for c in commands { arguments += ["-c", c] }
        let env = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }
        let json = try await run(consoleBinary, arguments, environment: env, workingDirectory: packageRoot)
        var textArguments = [directory]
        for c in commands { textArguments += ["-c", c] }
        let text = try await run(consoleBinary, textArguments, environment: env, workingDirectory: packageRoot)
        return (json.status, try json.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }, text.stdout)
    }

    /// A directory with a singleton kind whose two plugins tie, and a capability kind with two fallbacks.
    func conflicted() -> TempDir {
        let dir = TempDir()
        dir.write("kinds/payment/v1.yaml", "kind: payment\nkind_api_version: 1.0.0\nhooks:\n  - name: charge\n    dispatch: singleton\n")
        dir.write("kinds/chunker/v1.yaml", "kind: chunker\nkind_api_version: 1.0.0\nhooks:\n  - name: chunk\n    dispatch: capability\n")
        for (name, kind, extra) in [("stripe", "payment", ""), ("paypal", "payment", ""), ("a", "chunker", "fallback = true"), ("b", "chunker", "fallback = true")] {
            dir.plugin(name, name: name, kind: kind, priority: 10, extra: extra)
            let hook = kind == "payment" ? "charge" : "chunk"
            dir.write("\(name)/plugin.py", "class P:\n    def \(hook)(self, ctx, payload=None):\n        return \"\(name)\"\n")
        }
        return dir
    }

    @Test func aSingletonTieAndTwoFallbacksAreReportedAtLoadAndInPluginsAndOrder() async throws {
        let dir = conflicted()
        let (status, docs, text) = try await console(dir.path, ["plugins", "order payment", "call payment.charge {}"])
        #expect(status == 1)
        let tie = "AmbiguousPlugin: equal priority 10 for kind=payment (paypal, stripe), set DAGSTACK_ACTIVE_PAYMENT to disambiguate"
        let fallbacks = "AmbiguousPlugin: Kind 'chunker' has 2 fallback plugins (a, b); at most one may set fallback = true"
        func problems(_ doc: JSONValue) -> [String] {
            (doc["dispatch_problems"]?.arrayValue ?? []).map { "\($0["kind"]!.stringValue!).\($0["hook"]!.stringValue!) \($0["error"]!["code"]!.stringValue!): \($0["error"]!["message"]!.stringValue!)" }
        }
        #expect(problems(docs[0]) == ["chunker.chunk \(fallbacks)", "payment.charge \(tie)"])
        #expect(problems(docs[1]) == ["payment.charge \(tie)"])
        #expect(docs[2]["errors"]?[0]?["code"] == "AmbiguousPlugin")
        #expect(text.contains("  problem chunker.chunk — \(fallbacks)"))
        #expect(text.contains("  problem payment.charge — \(tie)"))
        // The load summary says it before any command (a batch run writes it to stderr).
        let env = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }
        let started = try await run(consoleBinary, [dir.path], stdin: "quit\n", environment: env, workingDirectory: packageRoot)
        #expect(started.stderr.contains("  problem payment.charge — \(tie)"))
    }

    @Test func broadcastCollectHonoursItsErrorPolicyAndListsWhatItDidNotCall() async throws {
        let dir = TempDir()
        dir.write("kinds/tool/v1.yaml", """
            kind: tool
            kind_api_version: 1.0.0
            hooks:
              - name: list_tools
                dispatch: broadcast_collect
              - name: list_lenient
                dispatch: broadcast_collect
                error_policy: best_effort
            """)
        for (name, priority, fails) in [("search", 50, false), ("broken", 40, true), ("weather", 30, false)] {
            dir.plugin(name, name: name, kind: "tool", priority: priority)
            let body = fails ? "raise RuntimeError(\"backend down\")" : "return [\"\(name)\"]"
            dir.write("\(name)/plugin.py", "class P:\n    def list_tools(self):\n        \(body)\n    def list_lenient(self):\n        \(body)\n")
        }
        let (status, docs, text) = try await console(dir.path, ["kinds", "call tool.list_tools", "call tool.list_lenient"])
        #expect(status == 1)
        let hooks = docs[0]["kinds"]?[0]?["hooks"]?.arrayValue ?? []
        #expect(hooks.map { "\($0["name"]!.stringValue!) \($0["error_policy"]!.stringValue!) \($0["error_policy_declared"]!)" }
            == ["list_tools fail_fast false", "list_lenient best_effort true"])
        #expect(docs[1]["answers"]?.arrayValue?.map { $0["plugin"]! } == ["search"])
        #expect(docs[1]["errors"]?.arrayValue?.map { $0["plugin"]! } == ["broken"])
        #expect(docs[1]["not_called"] == ["weather"])
        #expect(docs[1]["error_policy"] == "fail_fast")
        #expect(docs[2]["answers"]?.arrayValue?.map { $0["plugin"]! } == ["search", "weather"])
        #expect(docs[2]["not_called"] == [])
        #expect(text.contains("  list_tools     broadcast_collect  error_policy fail_fast (ADR-0002 default)"))
        #expect(text.contains("  weather           not called (error_policy fail_fast: an earlier plugin failed)"))
        // best_effort alone succeeds: a partial result is what it promises.
        #expect(try await console(dir.path, ["call tool.list_lenient"]).status == 0)
    }

    @Test func configIsShownMaskedChangedForTheSessionAndNeverRecordedInTheClear() async throws {
        let dir = TempDir()
        dir.write("app-config.yaml", "payment_provider:\n  stripe:\n    api_key: \"${STRIPE_API_KEY}\"\n    timeout_s: 30\n")
        dir.plugin("stripe", name: "stripe", kind: "payment_provider")
        dir.write("stripe/plugin.py", "class Stripe:\n    def setup(self, ctx):\n        self.c = dict(ctx.config)\n    def charge(self):\n        return {'timeout': self.c['timeout_s'], 'key_len': len(self.c['api_key'])}\n")
        let session = dir.path + "/s.jsonl"
        var env = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1", "STRIPE_API_KEY": "sk_live_9999"]) { $1 }
        env.removeValue(forKey: "DAGSTACK_ENV")
        let commands = ["show stripe", "config", "config set payment_provider.stripe.api_key \"sk_other_1\"", "config set payment_provider.stripe.timeout_s 5",
                        "call payment_provider.charge"]
        var arguments = [dir.path, "--json", "--record", session]
        for c in commands { arguments += ["-c", c] }
        let result = try await run(consoleBinary, arguments, environment: env, workingDirectory: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let docs = try result.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(docs[0]["config"] == ["api_key": "[MASKED]", "timeout_s": 30])
        #expect(docs[1]["config"] == ["payment_provider": ["stripe": ["api_key": "[MASKED]", "timeout_s": 30]]])
        #expect(docs[4]["answers"]?[0]?["value"] == ["timeout": 5, "key_len": 10])
        let recorded = try String(contentsOfFile: session, encoding: .utf8)
        for secret in ["sk_live_9999", "sk_other_1"] {
            #expect(!result.stdout.contains(secret) && !recorded.contains(secret), "\(secret) leaked")
        }
        #expect(recorded.contains(#""config":{"payment_provider":{"stripe":{"api_key":"[MASKED]","timeout_s":30}}}"#))
        #expect(ConfigCommand.recordedLine("config set payment_provider.stripe.api_key \"sk\"") == "config set payment_provider.stripe.api_key [MASKED]")
        #expect(ConfigCommand.recordedLine("config set payment_provider.stripe.timeout_s 5") == "config set payment_provider.stripe.timeout_s 5")
        let text = try await run(consoleBinary, [dir.path, "-c", "show stripe"], environment: env, workingDirectory: dir.path)
        #expect(text.stdout.contains(#"  config                {"api_key":"[MASKED]","timeout_s":30} (payment_provider.stripe of "#))
    }

    @Test func aStandardResourceIsReplacedOnlyByItsDescriptor() async throws {
        let dir = TempDir()
        dir.plugin("p", name: "p", kind: "probe", extra: "[plugin.resources]\nrequired = [\"clock\", \"rng\", \"http_client\"]")
        dir.write("p/plugin.py", """
            class P:
                def setup(self, ctx):
                    self.r = ctx.resources
                async def probe(self):
                    response = await self.r.http_client.get("https://example.org/data.json")
                    return {"now": self.r.clock.now().isoformat(), "n": self.r.rng.randint(0, 2**32), "status": response.status_code,
                            "body": response.json()}
            """)
        dir.write("clock.json", #"{"resource": "clock", "spec": {"type": "frozen", "at": "2026-01-01T12:00:00Z"}}"#)
        dir.write("rng.json", #"{"resource": "rng", "spec": {"type": "seeded", "seed": 42}}"#)
        dir.write("http.json", #"{"resource": "http_client", "spec": {"type": "stub", "routes": {"GET https://example.org/data.json": {"status_code": 200, "json": {"ok": true}}}}}"#)
        let env = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }
        let result = try await run(consoleBinary, [
            dir.path, "--json", "--resource", "clock=@\(dir.path)/clock.json", "--resource", "rng=@\(dir.path)/rng.json",
            "--resource", "http_client=@\(dir.path)/http.json", "-c", "call probe.probe",
        ], environment: env, workingDirectory: dir.path)
        let doc = try JSONValue.parse(String(result.stdout.split(separator: "\n").first ?? ""))
        #expect(doc["answers"]?[0]?["value"] == ["now": "2026-01-01T12:00:00+00:00", "n": 2746317213, "status": 200, "body": ["ok": true]], "\(result.stderr)")
        let refused = try await run(consoleBinary, [dir.path, "--resource", "clock={\"resource\": \"clock\", \"spec\": {\"type\": \"sundial\"}}"], environment: env)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--resource clock: Resource 'clock': unknown type 'sundial'"), "\(refused.stderr)")
    }
}
