import Foundation
import PluginHosts
import PluginSystem
import Testing
import TestSupport

/// JavaScript and TypeScript plugins run unchanged in one Node process per directory, called as the
/// TypeScript runtime calls them, with everything the Python host gives: output per call, errors
/// with their .ts lines, SerializationErrors naming the path, time limits, crashes that cost only
/// the plugin at fault.
@Suite(.serialized) struct NodeHostTests {
    static let seedQuery: JSONValue = ["text": "  How to LAUNCH dagstack?  ", "tenant_id": "acme-corp"]

    /// The seed 004 TypeScript tab, verbatim.
    static let seedNormalizer = """
        export class Normalizer {
          rewrite(query: Query): Query {
            return {
              ...query,
              text: query.text.toLowerCase().trim().replace(/\\s+/g, " "),
            };
          }
        }

        """

    static func faults(timeout: Double = 5) async -> PluginDirectory {
        await loadFixture("node-plugins", callTimeout: timeout)
    }

    static func call(_ dir: PluginDirectory, _ hook: String, _ value: JSONValue = "v") async throws(DagstackError) -> HookReply {
        try await FaultHook.call(dir, hook, value)
    }

    static func error(_ dir: PluginDirectory, _ hook: String) async -> DagstackError? { await FaultHook.error(dir, hook) }

    static func stillWorks(_ dir: PluginDirectory, calls: Int? = nil) async throws {
        let answer = try await SingletonDispatcher(dir.registry).dispatch("steady", "ping", HookArguments(["hi"]))
        #expect(answer.reply.output.value?["pong"] == "hi")
        if let calls { #expect(answer.reply.output.value?["calls"] == .int(calls)) }
    }

    @Test func theSeedTypeScriptNormalizerGivesTheSeedResult() async throws {
        let dir = TempDir()
        dir.plugin("normalizer", name: "normalizer", kind: "query_rewriter", priority: 100)
        dir.write("normalizer/plugin.ts", Self.seedNormalizer)
        let loaded = await PluginDirectory.load(dir.path)
        let record = try #require(loaded.registry.record(named: "normalizer"))
        #expect(record.state == .active, "\(record.state)")
        let plugin = try #require(record.instance as? NodePlugin)
        #expect(plugin.loaded.entryPoint == "plugin:Normalizer")
        #expect(plugin.loaded.inferred)
        #expect(plugin.loaded.hooks == ["rewrite": false])
        #expect(loaded.pythonHost == nil)
        let outcome = try await ChainDispatcher(loaded.registry).dispatch("query_rewriter", "rewrite", initial: Self.seedQuery)
        #expect(outcome.value == ["text": "how to launch dagstack?", "tenant_id": "acme-corp"])
        await loaded.close()
    }

    @Test func aChainMixesTypeScriptPythonAndStdioStagesInOneNodeAndOnePythonProcess() async throws {
        let dir = TempDir()
        dir.plugin("normalizer", name: "normalizer", kind: "query_rewriter", priority: 100)
        dir.write("normalizer/plugin.ts", Self.seedNormalizer)
        dir.plugin("shout", name: "shout", kind: "query_rewriter", priority: 50)
        dir.write("shout/plugin.py", """
            class Shout:
                def rewrite(self, query):
                    return {**query, "text": query["text"].upper()}
            """)
        dir.plugin("mark", name: "mark", kind: "query_rewriter", priority: 20, runtime: "mcp_stdio", extra: #"command = ["perl", "mark.pl"]"#)
        dir.write("mark/mark.pl", #"""
            use strict; use warnings; $| = 1;
            while (my $line = <STDIN>) {
              my ($id) = $line =~ /"id":\s*("[^"]*"|\d+)/;
              if ($line =~ /"method":"initialize"/) { print qq({"jsonrpc":"2.0","id":$id,"result":{"hooks":["rewrite"]}}\n); next; }
              if ($line =~ /"method":"shutdown"/) { print qq({"jsonrpc":"2.0","id":$id,"result":null}\n); last; }
              my ($text) = $line =~ /"text":"([^"]*)"/;
              print qq({"jsonrpc":"2.0","id":$id,"result":{"text":"$text!"}}\n);
            }
            """#)
        dir.plugin("suffix", name: "suffix", kind: "query_rewriter", priority: 10)
        dir.write("suffix/plugin.mjs", """
            export class Suffix {
              async rewrite(query) {
                await new Promise((resolve) => setTimeout(resolve, 5));
                return { ...query, text: query.text + " (js)" };
              }
            }
            """)
        let loaded = await PluginDirectory.load(dir.path)
        #expect(loaded.registry.records.allSatisfy { $0.state == .active }, "\(loaded.registry.records.map { ($0.name, $0.state) })")
        let outcome = try await ChainDispatcher(loaded.registry).dispatch("query_rewriter", "rewrite", initial: ["text": "  Mixed   Chain "])
        #expect(outcome.answers.map(\.plugin) == ["normalizer", "shout", "mark", "suffix"])
        #expect(outcome.answers.map { $0.reply.output.value?["text"]?.stringValue } == [
            "mixed chain", "MIXED CHAIN", "MIXED CHAIN!", "MIXED CHAIN! (js)",
        ])
        #expect(loaded.registry.record(named: "normalizer")?.instance is NodePlugin)
        #expect(loaded.registry.record(named: "suffix")?.instance is NodePlugin)
        #expect(loaded.registry.record(named: "shout")?.instance is PythonPlugin)
        let nodePID = try #require(loaded.nodeHost?.pid)
        await loaded.close()
        #expect(!processExists(nodePID))
    }

    @Test func asyncSetupGetsTheCtxOfTheTypeScriptRuntimeWithResourcesAndConfig() async throws {
        let dir = TempDir()
        dir.plugin("stamp", name: "stamp", kind: "stamps", extra: #"resources = { required = ["clock", "rng", "greeting"] }"#)
        dir.write("resources.json", #"{"greeting": {"hello": "world"}}"#)
        dir.write("app-config.yaml", "stamps:\n  stamp:\n    prefix: \">> \"\n")
        dir.write("stamp/plugin.ts", """
            import type { PluginContext } from "@dagstack/plugin-system";

            interface Clock { now(): Date }

            export class Stamp {
              private at = "";
              private prefix = "";
              private greeting: unknown = null;
              private roll = 0;

              async setup(ctx: PluginContext): Promise<void> {
                await new Promise((resolve) => setTimeout(resolve, 10));
                this.at = ctx.resources.get<Clock>("clock").now().toISOString();
                this.prefix = String(ctx.config.prefix);
                this.greeting = (ctx.resources as any).greeting;
                this.roll = (ctx.resources as any).rng.nextInt(1, 6);
                ctx.logger.info("set up for", ctx.manifest.name);
              }

              stamp(ctx: PluginContext, value: string) {
                return { value: this.prefix + value, at: this.at, greeting: this.greeting, roll: this.roll,
                         declared: ctx.resources.has("clock"), tenant: (ctx as any).metadata.tenant ?? null };
              }

              plain(value: string) {
                return { value, args: arguments.length };
              }

              async teardown(): Promise<void> {
                await new Promise((resolve) => setTimeout(resolve, 10));
                console.log("torn down");
              }
            }
            """)
        var options = PluginDirectory.Options()
        options.deterministicResources = true
        let loaded = await PluginDirectory.load(dir.path, options: options)
        let record = try #require(loaded.registry.record(named: "stamp"))
        #expect(record.state == .active, "\(record.state)")
        let plugin = try #require(record.instance as? NodePlugin)
        #expect(plugin.loaded.hooks == ["stamp": true, "plain": false])
        #expect(plugin.phaseOutput.flatMap(\.logs).map(\.text) == ["dagstack.plugin.stamp: set up for stamp"])
        let reply = try await SingletonDispatcher(loaded.registry).dispatch("stamps", "stamp", HookArguments(["x"]), metadata: ["tenant": "acme"]).reply
        let value = try #require(reply.output.value)
        #expect(value["value"] == ">> x")
        #expect(value["at"] == "2026-01-01T00:00:00.000Z")
        #expect(value["greeting"] == ["hello": "world"])
        #expect((1...6).contains(value["roll"]?.intValue ?? 0))
        #expect(value["declared"] == true)
        #expect(value["tenant"] == "acme")
        let plain = try await SingletonDispatcher(loaded.registry).dispatch("stamps", "plain", HookArguments(["y"])).reply
        #expect(plain.output == .value(["value": "y", "args": 1]))
        await loaded.close()
        #expect(plugin.phaseOutput.flatMap(\.logs).map(\.text).last == "torn down")
    }

    @Test func aThrownErrorShowsTheTypeScriptLine() async throws {
        let dir = await Self.faults()
        let error = try #require(await Self.error(dir, "raiseError"))
        #expect(error.code == .pluginError)
        #expect(error.plugin == "ts-faults")
        #expect(error.exceptionType == "RangeError")
        #expect(error.message == #"Plugin 'ts-faults' failed in fault.raiseError: RangeError: bad value: "v""#)
        let folder = packageRoot + "/Tests/Fixtures/node-plugins/ts-faults"
        #expect(error.traceback == "RangeError: bad value: \"v\"\n    at Faults.raiseError (\(folder)/plugin.ts:6:11)\n", "\(error.traceback ?? "")")
        #expect(dir.registry.record(named: "ts-faults")?.state == .active)
        try await Self.stillWorks(dir)
        await dir.close()
    }

    @Test func consoleOutputIsCapturedPerCallAndNeverCorruptsTheChannel() async throws {
        let dir = await Self.faults()
        let reply = try await Self.call(dir, "chatty", "x")
        #expect(reply.output == .value(["ok": true]))
        #expect(reply.logs == [
            PluginLog(stream: "stdout", text: "hello from console.log { value: 'x' }"),
            PluginLog(stream: "stderr", text: "careful: x"),
            PluginLog(stream: "stdout", text: "partial line"),
        ])
        let again = try await SingletonDispatcher(dir.registry).dispatch("steady", "ping", HookArguments(["hi"])).reply
        #expect(again.logs.isEmpty)
        await dir.close()
    }

    @Test func valuesJSONCannotCarryAreSerializationErrorsNamingThePath() async throws {
        let dir = await Self.faults()
        let expected = [
            "undefinedInArray": "$[1]: undefined, which JSON cannot carry (JSON.stringify would write null)",
            "bigint": "$.n: a BigInt (1180591620717411303424n); JSON has no BigInt (return Number(x) or String(x))",
            "cycle": "$.tree.self.parent: a cycle: this value contains itself",
            "map": "$.index: a Map; JSON has no maps (return Object.fromEntries(map))",
            "date": "$.when: a Date; JSON has no dates (return date.toISOString())",
            "callback": "$.then[0]: a function (anonymous), which JSON cannot carry",
        ]
        for (hook, path) in expected {
            let error = try #require(await Self.error(dir, hook))
            #expect(error.code == .serializationError)
            #expect(error.message == "Plugin 'ts-faults' failed in fault.\(hook): the hook returned a value JSON cannot carry: \(path)")
        }
        #expect(dir.registry.record(named: "ts-faults")?.state == .active)
        try await Self.stillWorks(dir)
        await dir.close()
    }

    @Test(arguments: ["hang", "spin"])
    func aHangingHookIsStoppedByTheTimeLimitAndTheOthersKeepWorking(hook: String) async throws {
        let dir = await Self.faults(timeout: 1)
        try await Self.stillWorks(dir, calls: 1)
        let before = try #require(dir.nodeHost?.pid)
        let started = ContinuousClock.now
        let error = try #require(await Self.error(dir, hook))
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(error.code == .pluginTimeout)
        // Where a loop spun, in the .ts file; a call that awaits what never comes runs no code to name.
        let plugin = packageRoot + "/Tests/Fixtures/node-plugins/ts-faults/plugin.ts"
        let place = hook == "spin" ? " its code was at \(plugin):49 in spin;" : ""
        #expect(error.message ==
            "Plugin 'ts-faults' did not answer fault.\(hook) within 1s (--call-timeout); it was stopped;\(place) the Node host was restarted and 1 other plugin(s) set up again")
        if hook == "spin" {
            #expect(error.traceback == "Stopped at (most recent call last):\n  File \"\(plugin)\", line 49, in spin\n    for (;;) {}")
        }
        #expect(dir.registry.record(named: "ts-faults")?.state.name == "failed")
        #expect(!processExists(before))
        // A fresh process: the steady plugin's module state starts again.
        try await Self.stillWorks(dir, calls: 1)
        await dir.close()
    }

    @Test func aPluginThatEndsTheNodeProcessIsReportedWithTheExitStatusAndWhatItWrote() async throws {
        let dir = await Self.faults()
        let error = try #require(await Self.error(dir, "exitNow"))
        #expect(error.code == .pluginCrashed)
        #expect(error.message.hasPrefix("Plugin 'ts-faults' process exited with status 3 during fault.exitNow"), "\(error.message)")
        #expect(error.logs.contains(PluginLog(stream: "stdout", text: "about to exit")), "\(error.logs)")
        #expect(dir.registry.record(named: "ts-faults")?.state.name == "failed")
        try await Self.stillWorks(dir)
        let pid = try #require(dir.nodeHost?.pid)
        await dir.close()
        #expect(!processExists(pid))
    }

    @Test func aSyntaxErrorInPluginTsIsALoadErrorWithFileLineAndColumn() async throws {
        let dir = TempDir()
        dir.plugin("broken", name: "broken", kind: "k")
        dir.write("broken/plugin.ts", """
            export class Broken {
              rewrite(query: string): string {
                return query +;
              }
            }
            """)
        dir.plugin("fine", name: "fine", kind: "k")
        dir.write("fine/plugin.ts", "export class Fine { h(v: number) { return v + 1; } }\n")
        let loaded = await PluginDirectory.load(dir.path)
        let broken = try #require(loaded.registry.record(named: "broken"))
        #expect(broken.state.name == "failed")
        #expect(broken.state.reason?.hasPrefix(
            "Plugin 'broken' (\(dir.path)/broken): Failed to execute plugin module \(dir.path)/broken/plugin.ts: SyntaxError: \(dir.path)/broken/plugin.ts:3:19: Unexpected \";\"") == true,
            "\(broken.state.reason ?? "")")
        #expect(loaded.registry.record(named: "fine")?.state == .active)
        await loaded.close()
    }

    @Test func importsOfOwnFilesPackagesBesideAndStopChainFromThePluginSystemPackage() async throws {
        let dir = TempDir()
        dir.plugin("guard", name: "guard", kind: "query_rewriter", priority: 10)
        dir.write("guard/plugin.ts", """
            import { STOP_CHAIN } from "@dagstack/plugin-system";
            import { blocked } from "./rules.js";
            import { shout } from "./lib";
            import pad from "left-pad";

            export class RulesError extends Error {}

            export class Guard {
              rewrite(query: { text: string }) {
                if (blocked(query.text)) return STOP_CHAIN;
                return { ...query, text: pad(shout(query.text), 8, "*") };
              }
            }
            """)
        dir.write("guard/rules.ts", "export const blocked = (text: string): boolean => text.includes(\"rm -rf\");\n")
        dir.write("guard/lib/index.ts", "export function shout(text: string): string { return text.toUpperCase(); }\n")
        dir.write("guard/node_modules/left-pad/package.json", #"{"name": "left-pad", "version": "1.3.0", "main": "index.js"}"#)
        dir.write("guard/node_modules/left-pad/index.js", """
            module.exports = function leftPad(str, len, ch) { str = String(str); while (str.length < len) str = ch + str; return str; };
            """)
        dir.plugin("after", name: "after", kind: "query_rewriter", priority: 1)
        dir.write("after/plugin.js", "export class After { rewrite(q) { return { ...q, after: true }; } }\n")
        let loaded = await PluginDirectory.load(dir.path)
        #expect(loaded.registry.records.allSatisfy { $0.state == .active }, "\(loaded.registry.records.map { ($0.name, $0.state) })")
        let padded = try await ChainDispatcher(loaded.registry).dispatch("query_rewriter", "rewrite", initial: ["text": "ok"])
        #expect(padded.value == ["text": "******OK", "after": true])
        let stopped = try await ChainDispatcher(loaded.registry).dispatch("query_rewriter", "rewrite", initial: ["text": "rm -rf /"])
        #expect(stopped.stoppedBy == "guard")
        #expect(stopped.value == ["text": "rm -rf /"])
        await loaded.close()
    }

    func fromJSON(_ loaded: PluginDirectory) -> NodePlugin {
        loaded.registry.record(named: "from-json")!.instance as! NodePlugin
    }

    @Test func theEntryPointNamesTheModuleAndClassAndInferenceNeedsOnePluginClass() async throws {
        let dir = TempDir()
        dir.plugin("named", name: "named", kind: "engine", extra: #"entry_point = "impl.engine:Engine""#)
        dir.write("named/impl/engine.mts", """
            export class Helper { assist() { return 0; } }
            export class Engine { h(value: string) { return `engine ${value}`; } }
            """)
        dir.plugin("two", name: "two", kind: "k")
        dir.write("two/plugin.ts", "export class A { h() { return 1; } }\nexport class B { h() { return 2; } }\n")
        dir.plugin("missing", name: "missing", kind: "k", extra: #"entry_point = "plugin:Nope""#)
        dir.write("missing/plugin.js", "export class Here { h() { return 1; } }\n")
        dir.write("json/dagstack.json", #"{"plugin": {"name": "from-json", "kind": "k", "runtime": "in_process", "core_version": ">=0.1.0,<1.0.0"}}"#)
        dir.write("json/plugin.mjs", "export default class FromJSON { h() { return 'json'; } }\n")
        // A helper class exported beside the plugin's: the one with methods is the plugin, and the
        // reason names the helper (it is not "the only exported class").
        dir.plugin("beside", name: "beside", kind: "k")
        dir.write("beside/plugin.ts", "export class Helper {}\nexport default class T { h(value: string) { return value; } }\n")
        let loaded = await PluginDirectory.load(dir.path)
        let beside = try #require(loaded.registry.record(named: "beside")?.instance as? NodePlugin)
        #expect(beside.loaded.inferredBecause == "the one class plugin.ts exports with public methods that is not an Error; beside it Helper")
        #expect(fromJSON(loaded).loaded.inferredBecause == "plugin.mjs's only exported class")
        #expect(loaded.registry.record(named: "named")?.state == .active)
        let named = try #require(loaded.registry.record(named: "named")?.instance as? NodePlugin)
        #expect(named.loaded.className == "Engine" && !named.loaded.inferred)
        let two = loaded.registry.record(named: "two")?.state.reason ?? ""
        #expect(two == #"Plugin 'two' (\#(dir.path)/two): no entry_point in the manifest and plugin.ts exports 2 classes that could be the plugin (A, B); set entry_point = "plugin:ClassName" in dagstack.toml"#, "\(two)")
        let missing = loaded.registry.record(named: "missing")?.state.reason ?? ""
        #expect(missing == "Plugin 'missing' (\(dir.path)/missing): Module 'plugin.js' exports no class 'Nope' (entry_point 'plugin:Nope')", "\(missing)")
        #expect(fromJSON(loaded).loaded.entryPoint == "plugin:FromJSON")
        let answer = try await SingletonDispatcher(loaded.registry).dispatch("engine", "h", HookArguments(["x"]))
        #expect(answer.reply.output == .value("engine x"))
        await loaded.close()
    }

    @Test func withoutNodeOrEsbuildTheLoadErrorSaysWhatToInstall() async throws {
        let dir = TempDir()
        dir.plugin("typed", name: "typed", kind: "k")
        dir.write("typed/plugin.ts", "export class Typed { h(v: string) { return v; } }\n")
        dir.plugin("plain", name: "plain", kind: "j")
        dir.write("plain/plugin.js", "export class Plain { h(v) { return v; } }\n")
        var options = PluginDirectory.Options()
        options.esbuild = dir.path + "/no-esbuild"
        let noEsbuild = await PluginDirectory.load(dir.path, options: options)
        #expect(noEsbuild.registry.record(named: "typed")?.state.reason ==
            "Plugin 'typed' (\(dir.path)/typed): Failed to execute plugin module \(dir.path)/typed/plugin.ts: Error: \(dir.path)/typed/plugin.ts is TypeScript, and compiling it needs esbuild, which was not found (\(dir.path)/no-esbuild): apt-get install esbuild (make run installs it when the directory has TypeScript plugins), or name it with DAGSTACK_ESBUILD")
        #expect(noEsbuild.registry.record(named: "plain")?.state == .active, "plain JavaScript needs no esbuild")
        await noEsbuild.close()
        options.node = dir.path + "/no-node"
        let noNode = await PluginDirectory.load(dir.path, options: options)
        for name in ["typed", "plain"] {
            #expect(noNode.registry.record(named: name)?.state.reason ==
                "The Node host cannot start: command not found: \(dir.path)/no-node (looked in \(dir.path)/no-node); JavaScript and TypeScript plugins run in Node: install nodejs (`make run` installs it when the directory has such plugins), or name the program with DAGSTACK_NODE")
        }
        await noNode.close()
    }

    @Test func ctxReachesOtherPluginsAndTheBlobStoreThroughTheConsole() async throws {
        let dir = TempDir()
        dir.plugin("caller", name: "caller", kind: "front", extra: #"resources = { required = ["blob_store"] }"#)
        dir.write("caller/plugin.ts", """
            export class Caller {
              async run(ctx: any, word: string) {
                const python = await ctx.registry.getPlugin("shouter");
                const node = await ctx.registry.getPlugin("suffixer", "suffixer");
                const blobs = ctx.resources.get("blob_store");
                await blobs.put("last", Buffer.from(word));
                const kept = (await blobs.get("last")).toString();
                return { shouted: await python.shout(word), suffixed: node.suffix(word), kept, listed: await blobs.list("") };
              }
            }
            """)
        dir.plugin("shouter", name: "shouter", kind: "shouter")
        dir.write("shouter/plugin.py", """
            class Shouter:
                def shout(self, word):
                    return word.upper()
            """)
        dir.plugin("suffixer", name: "suffixer", kind: "suffixer")
        dir.write("suffixer/plugin.js", "export class Suffixer { suffix(word) { return word + '!'; } }\n")
        let loaded = await PluginDirectory.load(dir.path)
        #expect(loaded.registry.records.allSatisfy { $0.state == .active }, "\(loaded.registry.records.map { ($0.name, $0.state) })")
        let answer = try await SingletonDispatcher(loaded.registry).dispatch("front", "run", HookArguments(["hey"]))
        #expect(answer.reply.output == .value(["shouted": "HEY", "suffixed": "hey!", "kept": "hey", "listed": ["last"]]))
        await loaded.close()
    }
}
