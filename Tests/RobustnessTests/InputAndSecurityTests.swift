import Foundation
import PluginHosts
import PluginSystem
import Testing
import TestSupport

/// Bad input and the security rules: a clear error, and the rest keeps working.
@Suite struct InputAndSecurityTests {
    @Test func unreadableAndNonUTF8ManifestsAreSkippedWithAReason() async throws {
        let dir = TempDir()
        dir.plugin("good", name: "good")
        dir.write("good/plugin.py", "class Good:\n    def work(self, ctx, v):\n        return v\n")
        dir.mkdir("latin1")
        _ = FileManager.default.createFile(atPath: dir.path + "/latin1/dagstack.toml", contents: Data([0x6E, 0x61, 0x6D, 0x65, 0x20, 0x3D, 0x20, 0x22, 0xE9, 0x22, 0x0A]))
        dir.plugin("locked", name: "locked")
        chmod(dir.path + "/locked/dagstack.toml", 0)
        defer { chmod(dir.path + "/locked/dagstack.toml", 0o644) }
        let loaded = await PluginDirectory.load(dir.path)
        #expect(loaded.registry.record(named: "good")?.state == .active)
        let problems = Dictionary(uniqueKeysWithValues: loaded.problems.map { (URL(fileURLWithPath: $0.source).lastPathComponent, $0.error.message) })
        #expect(problems["latin1"] == "Manifest at \(dir.path)/latin1/dagstack.toml is not valid UTF-8 text")
        if getuid() != 0 {  // root reads anything: the permission check only bites for other users
            #expect(problems["locked"] == "Manifest file cannot be read: \(dir.path)/locked/dagstack.toml")
        }
        await loaded.close()
    }

    @Test func stdioCommandsCannotClimbOutOfThePluginFolder() async throws {
        let dir = TempDir()
        dir.write("tool.sh", "#!/bin/sh\nexit 0\n", executable: true)
        dir.plugin("climber", name: "climber", runtime: "mcp_stdio", extra: #"command = ["../tool.sh"]"#)
        dir.plugin("wanderer", name: "wanderer", runtime: "mcp_stdio", extra: "command = [\"python3\", \"x.py\"]\nworking_dir = \"../..\"")
        dir.plugin("onpath", name: "onpath", runtime: "mcp_stdio", extra: #"command = ["definitely-not-installed-tool"]"#)
        let loaded = await PluginDirectory.load(dir.path)
        #expect(loaded.registry.record(named: "climber")?.state.reason ==
            "Plugin 'climber': command '../tool.sh' (\(dir.path)/climber/dagstack.toml) reaches outside the plugin folder; use a program inside it, a program on PATH, or an absolute path")
        #expect(loaded.registry.record(named: "wanderer")?.state.reason?.hasPrefix("Plugin 'wanderer': working_dir '../..'") == true)
        // A bare name is looked up on PATH: allowed, and here simply not found.
        #expect(loaded.registry.record(named: "onpath")?.state.reason?.contains("command not found: definitely-not-installed-tool") == true)
        await loaded.close()
    }

    @Test func aProgramThatIsALinkInsideThePluginFolderRuns() async throws {
        // A virtualenv's .venv/bin/python is a link to the system's interpreter: allowed; a link to a
        // folder outside is still climbing out.
        let dir = TempDir()
        dir.mkdir("venv-user/.venv/bin")
        symlink("/usr/bin/python3", dir.path + "/venv-user/.venv/bin/python")
        dir.write("venv-user/server.py", """
            import json, sys
            for line in sys.stdin:
                print(json.dumps({"jsonrpc": "2.0", "id": json.loads(line)["id"], "result": {}}), flush=True)
            """)
        dir.plugin("venv-user", name: "venv-user", runtime: "mcp_stdio", extra: #"command = [".venv/bin/python", "server.py"]"#)
        dir.mkdir("outside")
        dir.write("outside/tool.sh", "#!/bin/sh\nexit 0\n", executable: true)
        dir.plugin("linker", name: "linker", runtime: "mcp_stdio", extra: #"command = ["out/tool.sh"]"#)
        symlink(dir.path + "/outside", dir.path + "/linker/out")
        let loaded = await PluginDirectory.load(dir.path)
        #expect(loaded.registry.record(named: "venv-user")?.state == .active)
        #expect(loaded.registry.record(named: "linker")?.state.reason?.hasPrefix("Plugin 'linker': command 'out/tool.sh'") == true)
        await loaded.close()
    }

    @Test func pythonEntryPointsCannotReachOutsideTheFolder() async throws {
        let dir = TempDir()
        dir.write("evil.py", "class X:\n    pass\n")
        dir.plugin("sneaky", name: "sneaky", extra: #"entry_point = "../evil:X""#)
        dir.write("sneaky/plugin.py", "")
        let loaded = await PluginDirectory.load(dir.path)
        #expect(loaded.registry.record(named: "sneaky")?.state.reason ==
            "Plugin 'sneaky' (\(dir.path)/sneaky): entry_point module '../evil' must be a module path inside the plugin folder")
        await loaded.close()
    }

    @Test func aPluginThatSpawnsAChildAndDiesLeavesNoOrphan() async throws {
        let loaded = await loadFixture("hook-faults", callTimeout: 10)
        do {
            _ = try await SingletonDispatcher(loaded.registry).dispatch("stdio_fault", "s_spawn_and_exit", HookArguments(["v"]))
            Issue.record("the plugin exited; the call cannot succeed")
        } catch {
            #expect(error.code == .pluginCrashed)
            #expect(error.message.hasPrefix("Plugin 'stdio-faults' process exited with status 9 during stdio_fault.s_spawn_and_exit"))
            #expect(error.message.contains("grandchild "), "the child was started: \(error.message)")
            // The child's pid as the plugin saw it is one of the plugin's PID namespace: found by its command.
            let left = await survivors(matching: "sleep 3600.9")
            killProcesses(matching: "sleep 3600.9")
            #expect(left.isEmpty)
        }
        #expect(try await SingletonDispatcher(loaded.registry).dispatch("steady", "ping", HookArguments([1])).plugin == "py-ok")
        await loaded.close()
    }

    @Test func anAnswerThatIsNotJSONIsReportedAtOnceNotAsATimeout() async throws {
        let loaded = await loadFixture("hook-faults", callTimeout: 20)
        let started = ContinuousClock.now
        do {
            _ = try await SingletonDispatcher(loaded.registry).dispatch("stdio_fault", "s_not_serialisable", HookArguments(["v"]))
            Issue.record("NaN is not JSON: the answer cannot be read")
        } catch {
            #expect(error.code == .serializationError)
            #expect(error.message.hasPrefix(
                "Plugin 'stdio-faults' answered stdio_fault.s_not_serialisable with JSON the console does not carry: not valid JSON: NaN and Infinity are not valid JSON at column"),
                "\(error.message)")
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        await loaded.close()
    }
}
