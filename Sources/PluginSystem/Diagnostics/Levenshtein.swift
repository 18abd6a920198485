/// Edit distance between names, for "did you mean" in every message that names an unknown thing.
public enum Levenshtein {
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        guard !x.isEmpty else { return y.count }
        guard !y.isEmpty else { return x.count }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count]
    }

    /// Known names close to `name`, nearest first.
    public static func nearest(_ name: String, in known: [String], limit: Int = 3) -> [String] {
        known.map { ($0, distance(name, $0)) }.filter { $0.1 <= max(2, name.count / 2) }.sorted { $0.1 < $1.1 }
            .prefix(limit).map(\.0)
    }
}
