import Dispatch
import Foundation
import PluginSystem
import Synchronization

/// Interpreters started ahead of need, so that a `reload` does not wait for one to start.
///
/// A reload tears the loaded plugins down and loads them again in a fresh interpreter: each load's
/// plugins keep an interpreter of their own, as the reference's fresh process would give them. Most
/// of that time is the interpreter's own start (~40 ms for Python here, more for Node), so after a
/// load the host starts the next interpreter in the background — its host modules read, `ready`
/// said, no plugin code imported — and the next load takes it instead of starting one.
///
/// A spare is an ordinary contained child (its keeper holds it like any plugin process) and is
/// only used by a load of the same directory with the same program, host sources and environment;
/// another one is stopped and a fresh interpreter started. The console that owns the pool stops
/// the spares when it closes. Only a console that will likely reload keeps one (a person at the
/// prompt, `watch`): a `-c` run would only pay for an interpreter it never uses.
public final class SpareInterpreters: Sendable {
    /// What an interpreter was started with: a spare serves only a load that would start the same.
    struct Key: Equatable, Sendable {
        var command: [String]
        var preamble: [UInt8]?
        var environment: [String: String]
        var directory: String
    }

    /// One interpreter being started or ready, for one host language.
    private final class Spare: Sendable {
        let key: Key
        /// The started interpreter and its `ready` notification; nil when it did not start.
        let started: Pending<(process: ChildProcess, hello: JSONValue)>

        init(key: Key, started: Pending<(process: ChildProcess, hello: JSONValue)>) {
            self.key = key
            self.started = started
        }

        func stop() { started.take()?.process.terminate(grace: 0.2) }
    }

    private struct State {
        var enabled: Bool
        /// By launcher id ("python-host", "node-host"): one spare per host language.
        var spares: [String: Spare] = [:]
    }

    private let state: Mutex<State>

    /// A pool that keeps spares only once `keepReady(true)` is said, unless `enabled`.
    public init(enabled: Bool = false) { state = Mutex(State(enabled: enabled)) }

    /// Whether loads leave a spare interpreter behind them from now on. Turning it off stops the spares.
    public func keepReady(_ on: Bool) {
        let dropped: [Spare] = state.withLock { s in
            s.enabled = on
            guard !on else { return [] }
            defer { s.spares = [:] }
            return Array(s.spares.values)
        }
        for spare in dropped { spare.stop() }
    }

    public var keepsReady: Bool { state.withLock { $0.enabled } }

    static func key(_ launcher: HostLauncher, directory: String) -> Key {
        Key(command: launcher.command, preamble: launcher.preamble, environment: launcher.environment, directory: directory)
    }

    /// Starts, in the background, the interpreter the next load of `directory` by `launcher` will
    /// take, unless one is ready or starting for it already; it imports `modules` ahead (the
    /// standard library modules the last load imported, which the host lists).
    func prepare(_ launcher: HostLauncher, directory: String, warming modules: [String] = []) {
        let key = Self.key(launcher, directory: directory)
        state.withLock { s in
            guard s.enabled else { return }
            if let current = s.spares[launcher.id], current.key == key { return }
            let replaced = s.spares[launcher.id]
            s.spares[launcher.id] = Spare(key: key, started: Pending {
                replaced?.stop()
                guard let started = try? InterpreterHost.launch(launcher, directory: directory, timeout: 30) else { return nil }
                guard modules.isEmpty || Self.warm(started.process, modules: modules) else {
                    started.process.terminate(grace: 0.2)
                    return nil
                }
                return started
            })
        }
    }

    /// Asks a fresh interpreter to import `modules` (the host's `warm`) and waits for its answer.
    /// What the imports wrote (warnings) is dropped: it is no plugin's output.
    static func warm(_ process: ChildProcess, modules: [String]) -> Bool {
        let request: JSONValue = [
            "jsonrpc": "2.0", "id": "warm", "method": "warm", "params": ["modules": .array(modules.map(JSONValue.string))],
        ]
        do {
            try process.write(Array((request.encoded() + "\n").utf8))
            let deadline = ContinuousClock.now + .seconds(10)
            while let line = try process.readLine(deadline: deadline) {
                guard let reply = try? JSONValue.parse(data: line), reply["id"] == "warm" else { continue }
                _ = process.stderr.drain(includingPartialLine: true)
                return reply["result"] != nil
            }
        } catch {}
        return false
    }

    /// The ready interpreter for `launcher` in `directory`, if one was prepared and is still alive;
    /// it is the caller's from now on. Nil when there is none: the caller starts one itself.
    func take(_ launcher: HostLauncher, directory: String) -> (process: ChildProcess, hello: JSONValue)? {
        let key = Self.key(launcher, directory: directory)
        let spare: Spare? = state.withLock { s in
            guard let spare = s.spares[launcher.id] else { return nil }
            s.spares[launcher.id] = nil
            return spare
        }
        guard let spare else { return nil }
        guard spare.key == key else {
            // Another directory, program or environment: of no use to anyone now.
            Thread.detachNewThread { spare.stop() }
            return nil
        }
        guard let started = spare.started.take() else { return nil }
        guard started.process.isRunning else {
            started.process.terminate(grace: 0)
            return nil
        }
        return started
    }

    /// The pid of the spare interpreter of a host (`python-host`, `node-host`) once its start has
    /// ended (waiting for it); nil when there is none or it did not start.
    public func readyPID(host id: String) -> Int32? {
        guard let spare = state.withLock({ $0.spares[id] }) else { return nil }
        return spare.started.peek { $0?.process.programPID }
    }

    /// Stops every spare (the console is closing).
    public func stopAll() {
        let spares: [Spare] = state.withLock { s in
            defer { s.spares = [:] }
            return Array(s.spares.values)
        }
        for spare in spares { spare.stop() }
    }
}
