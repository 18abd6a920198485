import Foundation
import PluginHosts
import PluginSystem
import Testing
import TestSupport

/// A Python plugin that raises, hangs, exits, prints or returns what JSON cannot carry leaves the
/// runtime usable and says clearly what happened.
@Suite(.serialized) struct PythonHostTests {
    static func load(timeout: Double = 2) async -> PluginDirectory {
        await loadFixture("hook-faults", callTimeout: timeout)
    }

    static func call(_ dir: PluginDirectory, _ hook: String, _ value: JSONValue = "v") async throws(DagstackError) -> HookReply {
        try await FaultHook.call(dir, hook, value)
    }

    static func error(_ dir: PluginDirectory, _ hook: String) async -> DagstackError? { await FaultHook.error(dir, hook) }

    static func stillWorks(_ dir: PluginDirectory) async throws {
        let answer = try await SingletonDispatcher(dir.registry).dispatch("steady", "ping", HookArguments(["hi"]))
        #expect(answer.reply.output.value?["pong"] == "hi")
    }

    @Test func anExceptionCarriesThePluginTypeMessageAndTraceback() async throws {
        let dir = await Self.load()
        let error = try #require(await Self.error(dir, "raise_error"))
        #expect(error.code == .pluginError)
        #expect(error.plugin == "py-faults")
        #expect(error.exceptionType == "ValueError")
        #expect(error.message == "Plugin 'py-faults' failed in fault.raise_error: ValueError: bad value: 'v'")
        #expect(error.traceback?.contains("plugin.py\", line 8, in raise_error") == true, "\(error.traceback ?? "")")
        #expect(dir.registry.record(named: "py-faults")?.state == .active)
        try await Self.stillWorks(dir)
        await dir.close()
    }

    @Test func printAndLoggingAreCapturedPerCallAndNeverCorruptTheChannel() async throws {
        let dir = await Self.load()
        let reply = try await Self.call(dir, "chatty", "x")
        #expect(reply.output == .value(["ok": true]))
        #expect(reply.logs.contains(PluginLog(stream: "stdout", text: "hello from print")))
        #expect(reply.logs.contains(PluginLog(stream: "log", level: "WARNING", text: "faults: careful: x")))
        #expect(reply.logs.contains(PluginLog(stream: "stderr", text: "raw bytes on fd 1")), "\(reply.logs)")
        try await Self.stillWorks(dir)
        await dir.close()
    }

    @Test func tenMegabytesComeBackWhole() async throws {
        let dir = await Self.load(timeout: 60)  // correctness, not speed: debug builds under load are slow
        let reply = try await Self.call(dir, "huge")
        #expect(reply.output.value?["blob"]?.stringValue?.count == 10 * 1024 * 1024)
        await dir.close()
    }

    @Test func valuesJSONCannotCarryAreSerializationErrorsNamingThePath() async throws {
        let dir = await Self.load()
        let set = try #require(await Self.error(dir, "not_json"))
        #expect(set.code == .serializationError)
        #expect(set.message ==
            "Plugin 'py-faults' failed in fault.not_json: the hook returned a value JSON cannot carry: $.tags: a builtins.set cannot be carried as JSON")
        let key = try #require(await Self.error(dir, "bad_key"))
        #expect(key.message.hasSuffix("$.nested: dict key 1 is a int, JSON keys are strings"))
        try await Self.stillWorks(dir)
        await dir.close()
    }

    @Test func interruptsAndTamperingFailOnlyTheCallOfThePluginThatDidIt() async throws {
        let dir = await Self.load()
        for hook in ["interrupt", "sigint"] {
            let error = try #require(await Self.error(dir, hook))
            #expect(error.message == "Plugin 'py-faults' failed in fault.\(hook): KeyboardInterrupt")
            #expect(dir.registry.record(named: "py-faults")?.state == .active)
            try await Self.stillWorks(dir)
        }
        let tampered = try #require(await Self.error(dir, "patch_json"))
        #expect(tampered.plugin == "py-faults")
        #expect(tampered.message == "Plugin 'py-faults' failed in fault.patch_json: TamperError: the plugin replaced builtins.getattr, replaced json.dumps; the host put the original back (plugin code must not change what every plugin shares)")
        try await Self.stillWorks(dir)
        await dir.close()
    }

    @Test func valuesBeyondTheLimitsAreRefusedByTheHostWithTheirPath() async throws {
        let dir = await Self.load()
        let big = try #require(await Self.error(dir, "bigint"))
        #expect(big.code == .serializationError)
        #expect(big.message.hasSuffix("returned a value JSON cannot carry: $.n: a 1329-bit integer is beyond 64 bits, which is what the console carries exactly"))
        let deep = try #require(await Self.error(dir, "deep"))
        #expect(deep.message.hasSuffix("returned a value JSON cannot carry: $[0][0][0][0][0][0]…[0][0][0][0] (256 levels): nested deeper than 256 levels"))
        try await Self.stillWorks(dir)
        await dir.close()
    }

    @Test func aModuleThatHangsOrKillsTheInterpreterOnImportIsBlamedAloneAndTheOthersLoad() async throws {
        let started = ContinuousClock.now
        let dir = await loadFixture("import-faults", callTimeout: 5)
        #expect(ContinuousClock.now - started < .seconds(20), "the hanging import is stopped at its own 2 s limit")
        let folder = packageRoot + "/Tests/Fixtures/import-faults"
        let spins = dir.registry.record(named: "spins")?.state.reason ?? ""
        #expect(spins.hasPrefix("Plugin 'spins' (\(folder)/spins) did not answer the import of its module within 2s (startup_timeout_sec); it was stopped; the other plugins were loaded in a fresh interpreter"), "\(spins)")
        let exits = dir.registry.record(named: "exits")?.state.reason ?? ""
        #expect(exits.hasPrefix("Plugin 'exits' (\(folder)/exits) process exited with status 9 during the import of its module"), "\(exits)")
        #expect(dir.registry.record(named: "healthy")?.state == .active)
        let answer = try await SingletonDispatcher(dir.registry).dispatch("steady", "ping", HookArguments(["hi"]))
        #expect(answer.reply.output.value?["pong"] == "hi")
        await dir.close()
    }

    @Test func aHangingPluginIsStoppedMarkedFailedAndTheOthersKeepWorking() async throws {
        let dir = await Self.load(timeout: 1)
        let before = try #require(dir.pythonHost?.pid)
        let started = ContinuousClock.now
        let error = try #require(await Self.error(dir, "hang"))
        #expect(ContinuousClock.now - started < .seconds(30))  // the plugin sleeps an hour
        #expect(error.code == .pluginTimeout)
        let plugin = packageRoot + "/Tests/Fixtures/hook-faults/py-faults/plugin.py"
        #expect(error.message ==
            "Plugin 'py-faults' did not answer fault.hang within 1s (--call-timeout); it was stopped; its code was at \(plugin):11 in hang; the Python host was restarted and 1 other plugin(s) set up again")
        #expect(error.traceback == "Stopped at (most recent call last):\n  File \"\(plugin)\", line 11, in hang\n    time.sleep(3600)")
        #expect(dir.registry.record(named: "py-faults")?.state.name == "failed")
        #expect(!processExists(before))
        try await Self.stillWorks(dir)
        await dir.close()
    }

    @Test func aPluginThatKillsTheInterpreterIsReportedWithTheExitStatus() async throws {
        let dir = await Self.load()
        let error = try #require(await Self.error(dir, "exit_now"))
        #expect(error.code == .pluginCrashed)
        #expect(error.message.hasPrefix("Plugin 'py-faults' process exited with status 3 during fault.exit_now"), "\(error.message)")
        #expect(dir.registry.record(named: "py-faults")?.state.name == "failed")
        try await Self.stillWorks(dir)
        await dir.close()
    }

    @Test func aSegfaultInPluginCodeNamesThePluginsFileAndLine() async throws {
        let dir = await Self.load()
        let error = try #require(await Self.error(dir, "segfault"))
        #expect(error.code == .pluginCrashed)
        #expect(
            error.message.split(separator: "\n").first.map(String.init) == "Plugin 'py-faults' process killed by signal 11 (Segmentation fault) during fault.segfault; "
                + "the Python host was restarted and 1 other plugin(s) set up again", "\(error.message)")
        // The interpreter's own report of where it crashed, innermost frame first: ctypes, then the
        // plugin's line, then the host's frames.
        let stderr = error.logs.filter { $0.stream == "stderr" }.map(\.text)
        let frames = stderr.filter { $0.hasPrefix("  File ") }
        #expect(stderr.contains("Fatal Python error: Segmentation fault"), "\(stderr)")
        let plugin = frames.firstIndex { $0.hasSuffix("py-faults/plugin.py\", line 52 in segfault") }
        let host = frames.firstIndex { $0.contains("\"dagstack_host/") }
        #expect(plugin != nil && host != nil && plugin! < host!, "\(stderr)")
        try await Self.stillWorks(dir)
        await dir.close()
    }

    @Test func coroutinesRunWithOrWithoutAnEventLoop() async throws {
        let dir = TempDir()
        dir.plugin("plain", name: "plain", kind: "naps")
        dir.write("plain/plugin.py", """
            class Plain:
                async def setup(self, ctx):
                    self.ready = "set up without a loop"

                async def nap(self, ctx, value):
                    return {"plain": self.ready}
            """)
        dir.plugin("looped", name: "looped", kind: "naps", priority: 5)
        dir.write("looped/plugin.py", """
            import asyncio


            class Looped:
                async def setup(self, ctx):
                    await asyncio.sleep(0.01)
                    self.ready = "set up on a loop"

                async def nap(self, ctx, value):
                    await asyncio.sleep(0)
                    fut = asyncio.get_running_loop().create_future()
                    asyncio.get_running_loop().call_later(0.01, fut.set_result, value)
                    return {"looped": self.ready, "echo": await fut}
            """)
        let loaded = await PluginDirectory.load(dir.path)
        #expect(loaded.registry.records.allSatisfy { $0.state == .active }, "\(loaded.registry.records.map(\.state))")
        let answers = try await BroadcastCollectDispatcher(loaded.registry).dispatch("naps", "nap", HookArguments(["x"]))
        #expect(answers.answers.map(\.reply.output) == [
            .value(["looped": "set up on a loop", "echo": "x"]), .value(["plain": "set up without a loop"]),
        ])
        await loaded.close()
    }

    @Test func requestMetadataReachesCtxAndIsNeverStale() async throws {
        let dir = TempDir()
        dir.plugin("tenanted", name: "tenanted", kind: "meta")
        dir.write("tenanted/plugin.py", """
            class Tenanted:
                def who(self, ctx, value):
                    return {"value": value, "metadata": dict(ctx.metadata), "plugin_config": dict(ctx.config)}
            """)
        let loaded = await PluginDirectory.load(dir.path)
        func who(_ metadata: JSONObject) async throws -> JSONValue? {
            try await loaded.registry.call("tenanted", hook: "who", arguments: HookArguments([1]), metadata: metadata).output.value
        }
        // The host keeps one ctx per plugin while the metadata stays the same: a change must show.
        #expect(try await who(["tenant_id": "acme"]) == ["value": 1, "metadata": ["tenant_id": "acme"], "plugin_config": [:]])
        #expect(try await who(["tenant_id": "acme"]) == ["value": 1, "metadata": ["tenant_id": "acme"], "plugin_config": [:]])
        #expect(try await who(["tenant_id": "globex", "request_id": "r-2"])
            == ["value": 1, "metadata": ["tenant_id": "globex", "request_id": "r-2"], "plugin_config": [:]])
        #expect(try await who([:]) == ["value": 1, "metadata": [:], "plugin_config": [:]])
        await loaded.close()
    }

    @Test func entryPointInferenceNeedsExactlyOneClass() async throws {
        let dir = TempDir()
        dir.plugin("two", name: "two")
        dir.write("two/plugin.py", "class A:\n    pass\n\nclass B:\n    pass\n")
        dir.plugin("none", name: "none")
        dir.plugin("outside", name: "outside", extra: "entry_point = \"..evil:X\"")
        dir.write("outside/plugin.py", "")
        let loaded = await PluginDirectory.load(dir.path)
        #expect(loaded.registry.record(named: "two")?.state.reason ==
            "Plugin 'two' (\(dir.path)/two): no entry_point in the manifest and none of plugin.py's 2 top-level classes (A, B) has setup or a hook of the kind; set entry_point = \"plugin:ClassName\" in dagstack.toml")
        #expect(loaded.registry.record(named: "none")?.state.reason ==
            "Plugin 'none' has runtime='in_process' but no code: plugin.py, plugin.ts, plugin.mts, plugin.js or plugin.mjs not found in \(dir.path)/none")
        #expect(loaded.registry.record(named: "outside")?.state.reason ==
            "Plugin 'outside' (\(dir.path)/outside): entry_point module '..evil' must be a module path inside the plugin folder")
        await loaded.close()
    }
}
