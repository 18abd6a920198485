import Foundation
import PluginHosts
import PluginSystem
import Testing
import TestSupport

@Suite(.serialized) struct StdioPluginTests {
    static func load(timeout: Double = 2) async -> PluginDirectory {
        await loadFixture("hook-faults", callTimeout: timeout)
    }

    static func call(_ dir: PluginDirectory, _ hook: String) async -> Result<HookReply, DagstackError> {
        do {
            return .success(try await SingletonDispatcher(dir.registry).dispatch("stdio_fault", hook, HookArguments(["v"])).reply)
        } catch { return .failure(error) }
    }

    static func pid(_ dir: PluginDirectory) -> Int32? {
        (dir.registry.record(named: "stdio-faults")?.instance as? StdioPlugin)?.pid
    }

    @Test func answersAndSeesItsEnvironmentAndFolder() async throws {
        let dir = await Self.load()
        #expect(try await Self.call(dir, "s_ok").get().output == .value(["echo": "v"]))
        let env = try await Self.call(dir, "s_env").get().output.value
        #expect(env?["mark"] == "from-manifest")
        #expect(env?["has_path"] == true)  // env is added to the console's environment, not a replacement
        #expect(env?["cwd"]?.stringValue?.hasSuffix("/Tests/Fixtures/hook-faults/stdio-faults") == true)
        await dir.close()
    }

    @Test func anErrorObjectIsThePluginsErrorAndThePluginStaysActive() async throws {
        let dir = await Self.load()
        guard case .failure(let error) = await Self.call(dir, "s_raise") else { Issue.record("expected an error"); return }
        #expect(error.code == .pluginError)
        #expect(error.message == "Plugin 'stdio-faults' failed in stdio_fault.s_raise: RuntimeError: refused")
        #expect(error.exceptionType == "RuntimeError")
        #expect(error.traceback == "Traceback: server.py line 30")
        #expect(dir.registry.record(named: "stdio-faults")?.state == .active)
        #expect(try await Self.call(dir, "s_ok").get().output == .value(["echo": "v"]))
        await dir.close()
    }

    @Test func nonJSONLinesAndStaleIdsDoNotDesynchroniseTheChannel() async throws {
        let dir = await Self.load(timeout: 60)  // a 10 MB answer: correctness, not speed
        let garbage = try await Self.call(dir, "s_garbage").get()
        #expect(garbage.output == .value("after garbage"))
        #expect(garbage.logs.prefix(2) == [
            PluginLog(stream: "stdout", text: "this is not json"), PluginLog(stream: "log", level: "WARNING", text: "logged"),
        ])
        #expect(try await Self.call(dir, "s_wrong_id").get().output == .value("mine"))
        #expect(try await Self.call(dir, "s_huge").get().output.value?.stringValue?.count == 10 * 1024 * 1024)
        #expect(try await Self.call(dir, "s_stderr_flood").get().output == .value("survived"))
        #expect(try await Self.call(dir, "s_ok").get().output == .value(["echo": "v"]))
        await dir.close()
    }

    @Test func aHangIsKilledAndMarkedFailed() async throws {
        let dir = await Self.load(timeout: 1)
        let pid = try #require(Self.pid(dir))
        guard case .failure(let error) = await Self.call(dir, "s_hang") else { Issue.record("expected a timeout"); return }
        #expect(error.code == .pluginTimeout)
        #expect(error.message == "Plugin 'stdio-faults' did not answer stdio_fault.s_hang within 1s (--call-timeout); it was stopped")
        #expect(dir.registry.record(named: "stdio-faults")?.state.name == "failed")
        #expect(!processExists(pid))
        // Nothing dispatches to it any more; the rest of the registry works.
        guard case .failure(let gone) = await Self.call(dir, "s_ok") else { Issue.record("a failed plugin answered"); return }
        #expect(gone.code == .kindUnknown)
        #expect(try await SingletonDispatcher(dir.registry).dispatch("steady", "ping", HookArguments([1])).reply.output.value?["pong"] == 1)
        await dir.close()
    }

    @Test(arguments: [
        ("s_exit", "Plugin 'stdio-faults' process exited with status 7 during stdio_fault.s_exit\nstderr (last lines):\nabout to exit"),
        ("s_segv", "Plugin 'stdio-faults' process killed by signal 11 (Segmentation fault) during stdio_fault.s_segv"),
    ])
    func aCrashSaysHowTheProcessEnded(hook: String, message: String) async throws {
        let dir = await Self.load()
        guard case .failure(let error) = await Self.call(dir, hook) else { Issue.record("expected a crash"); return }
        #expect(error.code == .pluginCrashed)
        #expect(error.message == message)
        #expect(dir.registry.record(named: "stdio-faults")?.state.name == "failed")
        await dir.close()
    }

    /// A process's children, read from /proc (the pid a contained plugin reports of its own child
    /// is the one of its PID namespace, not the console's).
    static func children(of pid: Int32) -> [Int32] {
        ((try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? "").split(separator: " ").compactMap { Int32($0) }
    }

    @Test func teardownKillsThePluginsOwnChildrenToo() async throws {
        let dir = await Self.load()
        let pid = try #require(Self.pid(dir))
        _ = try await Self.call(dir, "s_grandchild").get()
        let grandchild = try #require(Self.children(of: pid).first)
        #expect(processExists(grandchild))
        await dir.close()
        #expect(!processExists(pid))
        #expect(!processExists(Int32(grandchild)))
    }
}

/// Answers that are JSON the console does not carry: reported at once as what they are, with the
/// plugin and the path, and the plugin keeps running (it answered; the answer was unusable).
@Suite(.serialized) struct UndecodableAnswerTests {
    @Test(arguments: [
        ("s_deep", "a value nested deeper than 272 levels at $.result[0][0][0][0][0]…[0][0][0][0] (272 levels)"),
        ("s_inf", "the number 1e999 is beyond the range of a double at $.result.x"),
        ("s_bigint", "the integer 7777777777…777777 (400 characters) is beyond 64 bits (-9223372036854775808…9223372036854775807), which is what is carried exactly at $.result.n"),
        ("s_bad_utf8", "invalid UTF-8 in a string at $.result.text"),
    ])
    func isReportedAtOnceWithItsPath(hook: String, problem: String) async throws {
        let dir = await StdioPluginTests.load(timeout: 20)
        let started = ContinuousClock.now
        guard case .failure(let error) = await StdioPluginTests.call(dir, hook) else { Issue.record("expected an error"); return }
        #expect(ContinuousClock.now - started < .seconds(5), "reported at once, not after the 20 s call limit")
        #expect(error.code == .serializationError)
        #expect(error.message == "Plugin 'stdio-faults' answered stdio_fault.\(hook) with JSON the console does not carry: \(problem) (the answer was discarded; the plugin keeps running)")
        #expect(dir.registry.record(named: "stdio-faults")?.state == .active)
        #expect(try await StdioPluginTests.call(dir, "s_ok").get().output == .value(["echo": "v"]))
        await dir.close()
    }
}

@Suite(.serialized) struct LifecycleFaultTests {
    @Test func setupAndTeardownFaultsAreContainedAndReported() async throws {
        let dir = await PluginDirectory.load(packageRoot + "/Tests/Fixtures/lifecycle-faults")
        let states = Dictionary(uniqueKeysWithValues: dir.registry.records.map { ($0.name, $0.state) })
        #expect(states["setup-raises"]?.reason == "Plugin 'setup-raises' failed in setup: ConnectionError: database unreachable")
        #expect(states["setup-hangs"]?.reason?.hasPrefix("Plugin 'setup-hangs' did not answer setup within 1s (startup_timeout_sec); it was stopped") == true,
                "\(states["setup-hangs"]?.reason ?? "")")
        #expect(states["needs-broken"] == .unavailable("its dependency 'setup-raises' failed"))
        #expect(states["healthy"] == .active)
        #expect(states["teardown-raises"] == .active)
        let answer = try await SingletonDispatcher(dir.registry).dispatch("life", "work", HookArguments([1]))
        #expect(answer.plugin == "healthy")
        #expect(answer.reply.output == .value(["healthy": 1]))
        let failure = await dir.close()
        #expect(failure?.code == .teardownErrors)
        #expect(failure?.errors.map(\.plugin) == ["teardown-raises", "teardown-hangs"])
        #expect(failure?.errors.first?.message == "Plugin 'teardown-raises' failed in teardown: RuntimeError: could not flush")
        #expect(failure?.errors.last?.code == .pluginTimeout)
    }
}

/// Our stdio plugins speak the reference's dialect: the reference's own MCPStdioAdapter can drive one.
@Suite struct ReferenceAdapterTests {
    @Test func theReferenceAdapterDrivesTheShippedPerlPlugin() async throws {
        let script = """
            import asyncio, json, sys
            from dagstack.plugin_system import MCPStdioAdapter

            async def main():
                adapter = MCPStdioAdapter(["perl", "spellfix.pl"], timeout=10)
                await adapter.start()
                result = await adapter.call("rewrite", {"_args": [{"text": "teh dagstak guide", "tenant_id": "t"}]})
                await adapter.stop()
                print(json.dumps(result, sort_keys=True))

            asyncio.run(main())
            """
        let (status, stdout, stderr) = try await run(
            try referencePython(), ["-c", script], environment: ProcessInfo.processInfo.environment.merging(
                ["PYTHONDONTWRITEBYTECODE": "1"]) { $1 }, workingDirectory: packageRoot + "/plugins/spellfix")
        #expect(status == 0, "\(stderr)")
        #expect(stdout == "{\"tenant_id\": \"t\", \"text\": \"the dagstack guide\"}\n")
    }
}
