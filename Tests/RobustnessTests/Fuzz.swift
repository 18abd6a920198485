import Foundation

/// A small seeded generator: a failing case is reproduced from the seed and the iteration number
/// printed with it. `FUZZ_ITERATIONS` raises the count (`make fuzz`).
struct Fuzz: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static var iterations: Int { Int(ProcessInfo.processInfo.environment["FUZZ_ITERATIONS"] ?? "") ?? 2000 }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    mutating func pick<T>(_ options: [T]) -> T { options[int(0...options.count - 1)] }

    /// Random bytes, biased towards the characters that matter to the format being fuzzed.
    mutating func bytes(_ count: Int, alphabet: [UInt8]) -> [UInt8] {
        (0..<count).map { _ in chance(70) ? pick(alphabet) : UInt8(truncatingIfNeeded: next()) }
    }

    /// `input` with a few random edits: bytes flipped, removed, duplicated, inserted.
    mutating func mutate(_ input: [UInt8], alphabet: [UInt8]) -> [UInt8] {
        var out = input
        for _ in 0..<int(1...4) {
            guard !out.isEmpty else { out = bytes(int(1...8), alphabet: alphabet); continue }
            let i = int(0...out.count - 1)
            switch int(0...3) {
            case 0: out[i] = chance(50) ? pick(alphabet) : UInt8(truncatingIfNeeded: next())
            case 1: out.remove(at: i)
            case 2: out.insert(contentsOf: out[i..<min(out.count, i + int(1...16))], at: i)
            default: out.insert(contentsOf: bytes(int(1...6), alphabet: alphabet), at: i)
            }
        }
        return out
    }
}
