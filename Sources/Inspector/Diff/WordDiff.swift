import PluginSystem

/// A word-level diff of two strings, for showing how a stage changed a text: the words removed, the
/// words added, and what stayed, in order. Whitespace runs count as words so the text rebuilds exactly.
/// Words compare by Unicode scalars: "café" written decomposed is another word.
public enum WordDiff {
    public enum Segment: Sendable, Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// Above this many words on either side the strings are shown as one removal and one addition.
    static let limit = 4000

    public static func diff(_ old: String, _ new: String) -> [Segment] {
        let a = tokens(old), b = tokens(new)
        guard a.count <= limit, b.count <= limit else { return coalesce([.removed(old), .added(new)]) }
        // Common prefix and suffix first: most edits touch a few words.
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix].exactlyEquals(b[prefix]) { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix].exactlyEquals(b[b.count - 1 - suffix]) {
            suffix += 1
        }
        let x = Array(a[prefix..<(a.count - suffix)]), y = Array(b[prefix..<(b.count - suffix)])
        var segments: [Segment] = a[..<prefix].map { .same($0) }
        segments += lcs(x, y)
        segments += a[(a.count - suffix)...].map { .same($0) }
        return coalesce(segments)
    }

    static func tokens(_ s: String) -> [String] {
        var result: [String] = []
        var current = ""
        var currentIsSpace: Bool?
        for ch in s {
            let isSpace = ch.isWhitespace
            if currentIsSpace != nil && currentIsSpace != isSpace {
                result.append(current)
                current = ""
            }
            current.append(ch)
            currentIsSpace = isSpace
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// Longest common subsequence over words (quadratic, on the differing middle only).
    static func lcs(_ x: [String], _ y: [String]) -> [Segment] {
        let n = x.count, m = y.count
        var table = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i][j] = x[i].exactlyEquals(y[j]) ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var segments: [Segment] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n && j < m && x[i].exactlyEquals(y[j]) {
                segments.append(.same(x[i])); i += 1; j += 1
            } else if j < m && (i == n || table[i][j + 1] >= table[i + 1][j]) {
                segments.append(.added(y[j])); j += 1
            } else {
                segments.append(.removed(x[i])); i += 1
            }
        }
        return segments
    }

    /// Joins neighbouring segments of the same kind, and puts removals before additions.
    static func coalesce(_ segments: [Segment]) -> [Segment] {
        var out: [Segment] = []
        for segment in segments {
            switch (out.last, segment) {
            case (.same(let a)?, .same(let b)): out[out.count - 1] = .same(a + b)
            case (.removed(let a)?, .removed(let b)): out[out.count - 1] = .removed(a + b)
            case (.added(let a)?, .added(let b)): out[out.count - 1] = .added(a + b)
            case (.added(let a)?, .removed(let b)):
                if out.count >= 2, case .removed(let r) = out[out.count - 2] {
                    out[out.count - 2] = .removed(r + b)
                } else {
                    out[out.count - 1] = .removed(b)
                    out.append(.added(a))
                }
            default: out.append(segment)
            }
        }
        return out.filter {
            switch $0 { case .same(let s), .removed(let s), .added(let s): !s.isEmpty }
        }
    }
}
