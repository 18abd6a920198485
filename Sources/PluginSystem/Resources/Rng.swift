import Synchronization

/// The `rng` standard resource: `random()` in [0, 1) and `randint(a, b)` inclusive, as in the
/// reference's protocol.
public protocol PluginRng: Sendable {
    func random() -> Double
    func randint(_ low: Int, _ high: Int) -> Int
    /// How a plugin host in another process rebuilds this generator (`{"type":"system"}`,
    /// `{"type":"seeded","seed":42}`).
    var descriptor: JSONValue { get }
}

public struct SystemRng: PluginRng {
    public init() {}
    public func random() -> Double { Double.random(in: 0..<1) }
    public func randint(_ low: Int, _ high: Int) -> Int { Int.random(in: low...high) }
    public var descriptor: JSONValue { ["type": "system"] }
}

/// A seeded generator (SplitMix64): the same seed gives the same sequence on every run.
public final class SeededRng: PluginRng {
    public let seed: UInt64
    private let state: Mutex<UInt64>

    public init(seed: UInt64) {
        self.seed = seed
        state = Mutex(seed)
    }

    private func next() -> UInt64 {
        state.withLock { s in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    public func random() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    public func randint(_ low: Int, _ high: Int) -> Int {
        precondition(low <= high, "randint: low must not exceed high")
        let span = UInt64(bitPattern: Int64(high) &- Int64(low)) &+ 1
        return span == 0 ? Int(bitPattern: UInt(next())) : low + Int(next() % span)
    }

    public var descriptor: JSONValue { ["type": "seeded", "seed": .int(Int(truncatingIfNeeded: seed))] }
}
