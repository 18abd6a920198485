import Foundation
import Synchronization

/// The `clock` standard resource: plugins read time through it, never from the system directly,
/// so tests and the determinism check can freeze it.
public protocol PluginClock: Sendable {
    func now() -> Date
    /// How a plugin host in another process rebuilds this clock (`{"type":"system"}`,
    /// `{"type":"frozen","at":"2026-01-01T00:00:00Z"}`).
    var descriptor: JSONValue { get }
}

public struct SystemClock: PluginClock {
    public init() {}
    public func now() -> Date { Date() }
    public var descriptor: JSONValue { ["type": "system"] }
}

/// A clock that only moves when told to.
public final class FrozenClock: PluginClock {
    private let instant: Mutex<Date>

    public init(at date: Date) { instant = Mutex(date) }

    public func now() -> Date { instant.withLock { $0 } }

    public func advance(seconds: Double) { instant.withLock { $0 = $0.addingTimeInterval(seconds) } }

    public var descriptor: JSONValue {
        ["type": "frozen", "at": .string(ISO8601DateFormatter().string(from: now()))]
    }
}
