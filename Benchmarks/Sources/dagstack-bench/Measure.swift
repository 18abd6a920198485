import Foundation

/// Timing helpers: medians of repeated runs, because the machine is shared and noisy.
enum Measure {
    /// Seconds per operation: `body` runs `iterations` operations; the median of `rounds` rounds.
    static func perOperation(rounds: Int = 7, iterations: Int, _ body: () async throws -> Void) async rethrows -> Double {
        var samples: [Double] = []
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            try await body()
            samples.append(seconds(ContinuousClock.now - start) / Double(iterations))
        }
        return median(samples)
    }

    /// Every single duration of `count` runs of `body`, in seconds (for percentiles).
    static func each(_ count: Int, _ body: () async throws -> Void) async rethrows -> [Double] {
        var samples: [Double] = []
        samples.reserveCapacity(count)
        for _ in 0..<count {
            let start = ContinuousClock.now
            try await body()
            samples.append(seconds(ContinuousClock.now - start))
        }
        return samples
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double { percentile(values, 50) }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let index = min(sorted.count - 1, Int((p / 100 * Double(sorted.count - 1)).rounded()))
        return sorted[index]
    }
}

/// One figure per line: `name: value unit`.
func report(_ name: String, _ value: Double, _ unit: String) {
    let text: String
    switch unit {
    case "ns", "us", "ms": text = String(format: "%.3f", value)
    default: text = String(format: "%.4g", value)
    }
    FileHandle.standardOutput.write(Data("\(name): \(text) \(unit)\n".utf8))
}
