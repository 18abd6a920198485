import Synchronization

/// When a plugin wrote something outside a hook call's answer. Output belongs to the phase in which
/// it was written: set-up output is not the first call's, and what a process wrote between calls
/// is nobody's call.
public enum PluginPhase: String, Sendable {
    case setup, idle, teardown
}

/// What a plugin wrote in one phase.
public struct PhaseOutput: Sendable, Equatable {
    public var phase: PluginPhase
    public var logs: [PluginLog]

    public init(phase: PluginPhase, logs: [PluginLog]) {
        self.phase = phase
        self.logs = logs
    }
}

/// A plugin's output outside its calls, as its host collects it; bounded (the oldest idle lines go
/// first), so a process that writes all the time while idle cannot fill the console's memory.
public final class PhaseOutputLog: Sendable {
    static let idleLimit = 1000
    private let entries = Mutex<[PhaseOutput]>([])

    public init() {}

    public func add(_ phase: PluginPhase, _ logs: [PluginLog]) {
        guard !logs.isEmpty else { return }
        entries.withLock { entries in
            if let last = entries.indices.last, entries[last].phase == phase {
                entries[last].logs += logs
            } else {
                entries.append(PhaseOutput(phase: phase, logs: logs))
            }
            if phase == .idle, let last = entries.indices.last, entries[last].logs.count > Self.idleLimit {
                entries[last].logs.removeFirst(entries[last].logs.count - Self.idleLimit)
            }
        }
    }

    public var all: [PhaseOutput] { entries.withLock { $0 } }

    public func logs(of phase: PluginPhase) -> [PluginLog] { all.filter { $0.phase == phase }.flatMap(\.logs) }
}
