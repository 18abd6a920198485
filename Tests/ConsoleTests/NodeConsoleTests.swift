import Foundation
import PluginSystem
import Testing
import TestSupport

/// The console on JavaScript and TypeScript plugins, as a user drives it: examples/mixed-chain's
/// chain of a TypeScript, a Perl (stdio) and two Python stages traced stage by stage, its recorded
/// session replayed, `show` naming the code, and nothing of Node left when the console ends.
@Suite(.serialized) struct NodeConsoleTests {
    static let query = #"{"text": "  How to LAUNCH dagstak?  ", "tenant_id": "acme-corp"}"#

    /// A trace's lines without the stage times, which vary.
    static func untimed(_ lines: [String]) -> [String] {
        lines.map { $0.replacingOccurrences(of: #"  +[0-9.]+ (µs|ms|s)$"#, with: "", options: .regularExpression) }
    }

    @Test func aChainOfTypeScriptPerlAndPythonStagesTracesWithPerStageDiffs() async throws {
        let (status, lines, stderr) = try await consoleText("examples/mixed-chain", ["trace query_rewriter.rewrite \(Self.query)"], in: packageRoot)
        #expect(status == 0, "\(stderr)")
        #expect(Self.untimed(lines) == [
            "trace query_rewriter.rewrite",
            #"  input  {"text":"  How to LAUNCH dagstak?  ","tenant_id":"acme-corp"}"#,
            "  1  normalizer       100   changed",
            #"       ~ /text  "  How to LAUNCH dagstak?  " → "how to launch dagstak?""#,
            "         [-  How-]{+how+} to [-LAUNCH-]{+launch+} dagstak?[-  -]",
            "  2  spellfix         60    changed",
            #"       ~ /text  "how to launch dagstak?" → "how to launch dagstack?""#,
            "         how to launch [-dagstak?-]{+dagstack?+}",
            "       log info │ spellfix: dagstak -> dagstack",
            "  3  synonymizer      50    changed",
            #"       ~ /text  "how to launch dagstack?" → "how to start dagstack?""#,
            "         how to [-launch-]{+start+} dagstack?",
            "  4  tenant-enricher  10    changed",
            #"       ~ /text  "how to start dagstack?" → "how to start dagstack? microservices python""#,
            "         how to start dagstack?{+ microservices python+}",
            #"  output {"tenant_id":"acme-corp","text":"how to start dagstack? microservices python"}"#,
            "",
        ], "\(lines)")
    }

    @Test func showNamesTheTypeScriptCodeAndItsNodeProcess() async throws {
        let (status, documents, _) = try await consoleJSON("examples/mixed-chain", ["show normalizer"], in: packageRoot)
        #expect(status == 0)
        let code = try #require(documents.first?["code"])
        #expect(code["host"] == "node")
        #expect(code["entry_point"] == "plugin:Normalizer")
        #expect(code["inferred"] == true)
        #expect(code["module_file"]?.stringValue?.hasSuffix("examples/mixed-chain/normalizer/plugin.ts") == true)
        #expect(code["node"]?.stringValue?.isEmpty == false)
        let text = try await consoleText("examples/mixed-chain", ["show normalizer"], in: packageRoot).lines
        #expect(text.contains { $0.hasPrefix("  code                  TypeScript plugin:Normalizer (inferred: plugin.ts's only exported class), Node pid ") }, "\(text)")
    }

    @Test func ctxManifestIsThePluginsOwn() async throws {
        let dir = TempDir()
        dir.plugin("self", name: "self", kind: "introspect", priority: 7, extra: #"version = "1.2.3""#)
        dir.write("self/plugin.ts", """
            export class Self {
              private seen: unknown = null;
              setup(ctx: { manifest: unknown }) { this.seen = ctx.manifest; }
              manifest() { return this.seen; }
            }
            """)
        let (status, documents, stderr) = try await consoleJSON(dir.path, ["call introspect.manifest"], in: dir.path)
        #expect(status == 0, "\(stderr)")
        #expect(documents.first?["answers"]?[0]?["value"] == [
            "name": "self", "kind": "introspect", "version": "1.2.3", "priority": 7, "resources": ["required": [], "optional": []],
        ], "\(documents)")
    }

    @Test func theShippedMixedSessionReplaysClean() async throws {
        let result = try await runConsole(["--replay", "sessions/mixed-chain.jsonl", "examples/mixed-chain", "--json"], in: packageRoot)
        #expect(result.status == 0, "\(result.stdout.prefix(2000))\(result.stderr)")
        let report = try JSONValue.parse(result.stdout)
        #expect(report["diverged"] == 0 && report["same"] == 7, "\(result.stdout.prefix(2000))")
        let recorded = try String(contentsOfFile: packageRoot + "/sessions/mixed-chain.jsonl", encoding: .utf8)
        #expect(recorded.contains(#""runtime":"in_process""#) && recorded.contains(#""runtime":"mcp_stdio""#))
    }

    /// The console on examples/mixed-chain in a terminal, at its prompt, and the processes it started.
    static func startMixed() async throws -> (TerminalSession, children: [Int32]) {
        let t = try TerminalSession(
            arguments: ["examples/mixed-chain"],
            environment: ["DAGSTACK_CONSOLE_HISTORY": NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"])
        #expect(await t.waitForPrompt(seconds: 30), "\(t.lines)")
        func nodeHosts() -> Set<Int32> {
            outermost(descendants(of: t.pid).filter { commandLine(of: $0).contains("node-host-") })
        }
        // The Node host, and (a person at the prompt) the spare the next reload will take.
        let until = Date().addingTimeInterval(10)
        while Date() < until && nodeHosts().count < 2 { try await Task.sleep(for: .milliseconds(50)) }
        let children = descendants(of: t.pid)
        #expect(nodeHosts().count == 2, "the Node host and its spare run while the console does: \(children)")
        return (t, children)
    }

    static func expectGone(_ children: [Int32]) async throws {
        let until = Date().addingTimeInterval(5)
        while Date() < until && !children.filter(processExists).isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        #expect(children.filter(processExists).isEmpty, "left behind: \(children.filter(processExists))")
    }

    @Test func ctrlDLeavesNoNodeProcess() async throws {
        let (t, children) = try await Self.startMixed()
        await t.type("\u{04}")
        #expect(await t.waitForExit() == 0)
        try await Self.expectGone(children)
    }

    @Test func ctrlCInterruptsAHangingTypeScriptHookAndTheConsoleCarriesOn() async throws {
        let t = try TerminalSession(
            arguments: ["Tests/Fixtures/node-plugins", "--call-timeout", "60"],
            environment: ["DAGSTACK_CONSOLE_HISTORY": NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"])
        #expect(await t.waitForPrompt(seconds: 30), "\(t.lines)")
        await t.type("call steady.ping 1\r")
        #expect(await t.waitFor(#"steady            {"pong":1,"calls":1}"#), "\(t.lines)")
        await t.type("call fault.spin 1\r")
        await t.pump(1.0)
        await t.type("\u{03}", whileRunning: true)
        #expect(await t.waitFor("Cancelled: Plugin 'ts-faults' was interrupted during fault.spin; it was stopped"), "\(t.lines)")
        #expect(await t.waitForPrompt())
        // A fresh Node process: the steady plugin was loaded and set up again.
        await t.type("call steady.ping 2\r")
        #expect(await t.waitFor(#"steady            {"pong":2,"calls":1}"#), "\(t.lines)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    /// The console advises `kill -USR1` on the Node host to debug a plugin: what Node's inspector
    /// then writes on the host's stderr is the host's message, shown as such, not output of the
    /// plugin whose call runs next.
    @Test func theInspectorsMessagesAreTheHostsNotThePluginsOutput() async throws {
        let t = try TerminalSession(
            arguments: ["Tests/Fixtures/node-plugins"],
            environment: ["DAGSTACK_CONSOLE_HISTORY": NSTemporaryDirectory() + "dagstack-hist-\(UUID().uuidString)"])
        #expect(await t.waitForPrompt(seconds: 30), "\(t.lines)")
        await t.type("show steady\r")
        #expect(await t.waitFor("Node pid "), "\(t.lines)")
        let shown = t.lines.joined(separator: "\n")
        let pid = try #require(shown.firstMatch(of: /Node pid (\d+)/).flatMap { Int32($0.1) }, "\(shown)")
        kill(pid, SIGUSR1)
        await t.pump(0.5)
        await t.type("call steady.ping 1\r")
        #expect(await t.waitFor(#"steady            {"pong":1,"calls":1}"#), "\(t.lines)")
        // Node writes as soon as the inspector is up (or its port is taken); an Enter shows what came
        // after the call.
        var said = await t.waitFor("Node host (pid \(pid)): ", seconds: 2)
        for _ in 0..<5 where !said {
            await t.type("\r")
            said = await t.waitFor("Node host (pid \(pid)): ", seconds: 2)
        }
        let text = t.lines.joined(separator: "\n")
        #expect(text.contains("Node host (pid \(pid)): Debugger listening on ws://127.0.0.1:")
                    || text.contains("Node host (pid \(pid)): Starting inspector on 127.0.0.1:9229 failed"), "\(text)")
        #expect(!text.contains("stderr │ Debugger") && !text.contains("stderr │ For help") && !text.contains("stderr │ Starting inspector"),
                "\(text)")
        await t.type("quit\r")
        #expect(await t.waitForExit() == 0)
    }

    @Test func sigkillOfTheConsoleLeavesNoNodeProcess() async throws {
        let (t, children) = try await Self.startMixed()
        kill(t.pid, SIGKILL)
        _ = await t.waitForExit()
        try await Self.expectGone(children)
    }
}

/// The contract checks on JavaScript/TypeScript plugins: a violating fixture and its clean twin each.
@Suite(.serialized) struct NodeContractTests {
    static func reports() async throws -> [String: JSONValue] {
        let result = try await runConsole(["--contract", "Tests/Fixtures/node-contract", "--json"], in: packageRoot)
        #expect(result.status == 1, "\(result.stdout.prefix(1000))\(result.stderr)")
        let reports = try JSONValue.parse(result.stdout)["reports"]?.arrayValue ?? []
        return Dictionary(uniqueKeysWithValues: reports.map { ($0["plugin"]?.stringValue ?? "?", $0) })
    }

    static func finding(_ report: JSONValue?, _ check: String) -> JSONValue? {
        report?["findings"]?.arrayValue?.first { $0["check"]?.stringValue == check }
    }

    static func failed(_ report: JSONValue?) -> [String] {
        (report?["findings"]?.arrayValue ?? []).filter { ["fail", "not_run"].contains($0["status"]?.stringValue) }.compactMap { $0["check"]?.stringValue }
    }

    @Test func aTimerLeftAfterTeardownAndMathRandomFailAndTheirTwinsPass() async throws {
        let reports = try await Self.reports()
        #expect(Self.failed(reports["leaky-timer"]) == ["lifecycle"], "\(reports["leaky-timer"] ?? .null)")
        #expect(Self.finding(reports["leaky-timer"], "lifecycle")?["message"] ==
            "Plugin 'leaky-timer' left 1 thing(s) behind after teardown: 1 timer or interval (setTimeout/setInterval) still open after teardown of 'leaky-timer' (Node reports Timeout)")
        #expect(Self.failed(reports["tidy-timer"]) == [], "\(reports["tidy-timer"] ?? .null)")
        #expect(Self.failed(reports["random-pick"]) == ["determinism"], "\(reports["random-pick"] ?? .null)")
        #expect(Self.failed(reports["seeded-pick"]) == [], "\(reports["seeded-pick"] ?? .null)")
        #expect(Self.finding(reports["seeded-pick"], "execution_model")?["message"] == "execution_model = \"sync\": 1 call(s) answered without a promise")
    }

    @Test func moduleLevelMutableStateFailsAmbientStateAndTheInstanceTwinPasses() async throws {
        let reports = try await Self.reports()
        let module = Self.finding(reports["module-state"], "ambient_state")
        #expect(Self.failed(reports["module-state"]) == ["ambient_state"], "\(reports["module-state"] ?? .null)")
        #expect(module?["message"] == "Tests/Fixtures/node-contract/module-state/plugin.ts has 2 module-level ambient state problem(s): 'seen' (line 2), 'calls' (line 3)")
        #expect(module?["details"] == [
            "ERROR Tests/Fixtures/node-contract/module-state/plugin.ts:2: 'seen' — module-level mutable state is shared by every instance and outlives teardown",
            "ERROR Tests/Fixtures/node-contract/module-state/plugin.ts:3: 'calls' — a module-level `let` is state shared by every instance and outlives teardown",
            // What the sample call changed, watched: the scan's findings seen happening.
            "module variable calls (module plugin.ts) changed: 0 → 1, by the sample calls: state outside the instance",
            "module variable seen (module plugin.ts) changed: Map(0) {} → Map(1) { 'a' => 1 }, by the sample calls: state outside the instance",
            "WARNING Tests/Fixtures/node-contract/module-state/plugin.ts:4: 'LIMITS' — an UPPER_CASE module-level mutable value: treated as a constant, never mutate it",
        ])
        let twin = Self.finding(reports["instance-state"], "ambient_state")
        #expect(twin?["status"] == "pass")
        #expect(twin?["message"] == "source scanned; 1 sample call(s) changed no module or class state and read no environment variable")
    }

    /// What the hooks do while the samples run, watched as for Python plugins: each violating
    /// fixture fails exactly the check that watching catches, and its twin passes every check.
    @Test func watchingTheHooksCatchesStateEnvironmentBlockingPromisesAndRewritesAndTheTwinsPass() async throws {
        let reports = try await Self.reports()
        let root = packageRoot + "/Tests/Fixtures/node-contract"
        let expected: [(plugin: String, check: String, violation: String, message: String)] = [
            ("constant-mutated", "ambient_state", "AmbientStateViolation",
             "the hooks keep state outside the instance or read the environment: module variable SQUARES (module plugin.ts) changed: { '1': 1, '2': 4 } → { '1': 1, '2': 4, '10': 100, '20': 400 }, by the sample calls: state outside the instance"),
            ("helper-counter", "ambient_state", "AmbientStateViolation",
             "the hooks keep state outside the instance or read the environment: module variable last (module ids.ts) changed: 0 → 2, by the sample calls: state outside the instance"),
            ("env-in-hook", "ambient_state", "AmbientStateViolation",
             "the hooks keep state outside the instance or read the environment: process.env.DAGSTACK_FIXTURE_DEBUG read at plugin.ts:4, in hook 'work': read the environment in setup() and keep the value"),
            ("async-blocking", "execution_model", "ExecutionModelViolation",
             "hook 'work' blocks the event loop: fs.readFileSync(\"\(root)/async-blocking/dagstack.toml\") at plugin.ts:9"),
            ("sync-promise", "execution_model", "ExecutionModelViolation",
             "hook 'work' returned a promise, but the plugin declares execution_model = \"sync\""),
        ]
        for (plugin, check, violation, message) in expected {
            let report = reports[plugin]
            #expect(Self.failed(report) == [check], "\(plugin): \(report ?? .null)")
            #expect(Self.finding(report, check)?["violation"]?.stringValue == violation, "\(plugin)")
            #expect(Self.finding(report, check)?["message"]?.stringValue == message, "\(plugin)")
        }
        #expect(Self.failed(reports["input-hash-rewrites"]) == ["idempotency"], "\(reports["input-hash-rewrites"] ?? .null)")
        let rewrite = Self.finding(reports["input-hash-rewrites"], "idempotency")?["message"]?.stringValue ?? ""
        #expect(rewrite.hasPrefix("work {\"tenant_id\":\"acme\",\"x\":1}: run 2 did again what run 1 did: file \""), "\(rewrite)")
        #expect(rewrite.hasSuffix("/acme-1.json\" opened for writing at plugin.ts:15"), "\(rewrite)")
        for twin in ["constant-read", "helper-counter-fixed", "env-in-setup", "async-blocking-fixed", "sync-promise-fixed", "input-hash-rewrites-fixed"] {
            #expect(Self.failed(reports[twin]) == [], "\(twin): \(reports[twin] ?? .null)")
        }
        #expect(Self.finding(reports["async-blocking-fixed"], "execution_model")?["message"] ==
            "execution_model = \"async\": 2 call(s) made no blocking (*Sync) file or child process call")
        #expect(Self.finding(reports["input-hash-rewrites-fixed"], "idempotency")?["message"] ==
            "idempotency_mode = \"input_hash\": 2 sample(s) run twice on one instance gave the same output and no second write")
        // The sinks are given to Python plugins only: nothing to resume, said so.
        #expect(Self.finding(reports["input-hash-rewrites-fixed"], "checkpoint_resume")?["message"] ==
            "a JavaScript/TypeScript plugin runs in the directory's Node process: this runtime gives ctx.progress and ctx.checkpoint to Python plugins only")
    }
}
