import Foundation
import PluginHosts
import PluginSystem
import Testing
import TestSupport

/// A console that will reload keeps the next load's interpreter started: the reload takes it, its
/// plugins still get an interpreter of their own (fresh module state, the edited code), and no spare
/// serves another directory or outlives the console.
@Suite(.serialized) struct SpareInterpreterTests {
    /// A directory with one Python plugin whose hook says its code's version, how many times its
    /// module has been called, and the interpreter's working directory.
    static func directory(version: Int) -> TempDir {
        let dir = TempDir()
        dir.plugin("p", name: "probe", kind: "fault")
        write(dir, version: version)
        return dir
    }

    static func write(_ dir: TempDir, version: Int) {
        dir.write("p/plugin.py", """
            import colorsys, os
            VERSION = \(version)
            CALLS = []

            class Probe:
                def ask(self, value):
                    CALLS.append(value)
                    return {"version": VERSION, "calls": len(CALLS), "cwd": os.getcwd()}
            """)
    }

    static func load(_ dir: TempDir, _ spares: SpareInterpreters) async -> PluginDirectory {
        var options = PluginDirectory.Options()
        options.spares = spares
        return await PluginDirectory.load(dir.path, options: options)
    }

    static func ask(_ dir: PluginDirectory) async throws -> JSONValue {
        try #require(try await FaultHook.call(dir, "ask").output.value)
    }

    @Test func aReloadTakesTheSpareAndItsPluginsStartFresh() async throws {
        let dir = Self.directory(version: 1)
        let spares = SpareInterpreters(enabled: true)
        defer { spares.stopAll() }
        let first = await Self.load(dir, spares)
        #expect(try await Self.ask(first) == ["version": 1, "calls": 1, "cwd": .string(InterpreterPath.real(dir.path))])
        #expect(try await Self.ask(first)["calls"] == 2)
        // As the console does once a command is done.
        first.prepareSpareInterpreters()
        let spare = try #require(spares.readyPID(host: "python-host"))
        #expect(spare != first.pythonHost?.pid)
        #expect(processExists(spare))

        Self.write(dir, version: 2)
        await first.close()
        let second = await Self.load(dir, spares)
        // The spare became the host; the edited module is imported in it, with its state new.
        #expect(second.pythonHost?.pid == spare)
        #expect(try await Self.ask(second) == ["version": 2, "calls": 1, "cwd": .string(InterpreterPath.real(dir.path))])
        // And the next one starts once asked for.
        second.prepareSpareInterpreters()
        let next = try #require(spares.readyPID(host: "python-host"))
        #expect(next != spare)
        #expect(processExists(next))

        spares.stopAll()
        #expect(!processExists(next))
        #expect(spares.readyPID(host: "python-host") == nil)
        await second.close()
        #expect(!processExists(spare))
    }

    @Test func aSpareServesOnlyTheDirectoryItWasStartedFor() async throws {
        let a = Self.directory(version: 1), b = Self.directory(version: 7)
        let spares = SpareInterpreters(enabled: true)
        defer { spares.stopAll() }
        let first = await Self.load(a, spares)
        first.prepareSpareInterpreters()
        let spareOfA = try #require(spares.readyPID(host: "python-host"))
        await first.close()
        let other = await Self.load(b, spares)
        #expect(other.pythonHost?.pid != spareOfA)
        #expect(try await Self.ask(other)["cwd"] == .string(InterpreterPath.real(b.path)))
        #expect(try await Self.ask(other)["version"] == 7)
        // A's spare is of no use to anyone: stopped.
        try await waitUntil { !processExists(spareOfA) }
        #expect(!processExists(spareOfA))
        await other.close()
    }

    @Test func aPoolNotKeepingSparesStartsNone() async throws {
        let dir = Self.directory(version: 1)
        let spares = SpareInterpreters()
        let loaded = await Self.load(dir, spares)
        #expect(try await Self.ask(loaded)["version"] == 1)
        loaded.prepareSpareInterpreters()
        #expect(spares.readyPID(host: "python-host") == nil)
        // Turned on (`watch` starts), the loaded directory gets its spare at once.
        spares.keepReady(true)
        loaded.prepareSpareInterpreters()
        let spare = try #require(spares.readyPID(host: "python-host"))
        #expect(processExists(spare))
        // Turned off again, it is stopped.
        spares.keepReady(false)
        #expect(!processExists(spare))
        await loaded.close()
    }
}

enum InterpreterPath {
    /// The folder as the interpreter's getcwd() says it: every symbolic link resolved (/tmp may be one).
    static func real(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Polls `condition` for up to `seconds`.
func waitUntil(seconds: Double = 5, _ condition: () -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
}
