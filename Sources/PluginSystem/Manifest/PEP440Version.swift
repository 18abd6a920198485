/// A PEP 440 version (`1!2.3.4rc1.post2.dev3+local.7`), ordered as PEP 440 and `packaging` order it.
public struct PEP440Version: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum PreKind: Int, Sendable, Comparable {
        case alpha, beta, rc
        public static func < (a: PreKind, b: PreKind) -> Bool { a.rawValue < b.rawValue }
        var label: String { ["a", "b", "rc"][rawValue] }
    }

    public var epoch = 0
    public var release: [Int]
    public var pre: (kind: PreKind, number: Int)?
    public var post: Int?
    public var dev: Int?
    public var local: [String]?

    public var isPrerelease: Bool { pre != nil || dev != nil }
    public var isPostrelease: Bool { post != nil }

    /// The version without its local label.
    public var publicVersion: PEP440Version {
        var copy = self
        copy.local = nil
        return copy
    }

    /// Epoch and release only (`1.0.0rc1.post2` → `1.0.0`).
    public var baseVersion: PEP440Version { PEP440Version(epoch: epoch, release: release) }

    public init(epoch: Int = 0, release: [Int]) {
        self.epoch = epoch
        self.release = release
    }

    /// Parses the forms PEP 440 accepts, including its normalisations (`1.0-alpha.1`, `v1.0`,
    /// `1.0.post`, `1.0-1`).
    public init?(_ text: String) {
        var s = Substring(text.lowercased().trimmingCharacters(in: .whitespaces))
        if s.hasPrefix("v") { s = s.dropFirst() }
        func number() -> Int? {
            let digits = s.prefix(while: \.isASCIIDigit)
            guard !digits.isEmpty, let n = Int(digits) else { return nil }
            s = s.dropFirst(digits.count)
            return n
        }
        func dropSeparator() { if let c = s.first, c == "." || c == "-" || c == "_" { s = s.dropFirst() } }

        guard var first = number() else { return nil }
        if s.first == "!" {
            s = s.dropFirst()
            epoch = first
            guard let n = number() else { return nil }
            first = n
        }
        release = [first]
        while s.first == ".", s.dropFirst().first?.isASCIIDigit == true {
            s = s.dropFirst()
            guard let n = number() else { return nil }
            release.append(n)
        }
        // Pre-release.
        let preLabels: [(String, PreKind)] = [
            ("alpha", .alpha), ("a", .alpha), ("beta", .beta), ("b", .beta), ("preview", .rc), ("pre", .rc),
            ("rc", .rc), ("c", .rc),
        ]
        var probe = s
        if let c = probe.first, c == "." || c == "-" || c == "_" { probe = probe.dropFirst() }
        if let (label, kind) = preLabels.first(where: { probe.hasPrefix($0.0) }) {
            s = probe.dropFirst(label.count)
            dropSeparator()
            pre = (kind, number() ?? 0)
        }
        // Post-release: `.post1`, `-1`.
        probe = s
        if probe.first == "-", probe.dropFirst().first?.isASCIIDigit == true {
            s = probe.dropFirst()
            post = number()
        } else {
            if let c = probe.first, c == "." || c == "-" || c == "_" { probe = probe.dropFirst() }
            if let label = ["post", "rev", "r"].first(where: { probe.hasPrefix($0) }) {
                s = probe.dropFirst(label.count)
                dropSeparator()
                post = number() ?? 0
            }
        }
        // Development release.
        probe = s
        if let c = probe.first, c == "." || c == "-" || c == "_" { probe = probe.dropFirst() }
        if probe.hasPrefix("dev") {
            s = probe.dropFirst(3)
            dropSeparator()
            dev = number() ?? 0
        }
        // Local label.
        if s.first == "+" {
            let parts = s.dropFirst().split(omittingEmptySubsequences: false, whereSeparator: { $0 == "." || $0 == "-" || $0 == "_" })
            guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit } })
            else { return nil }
            local = parts.map(String.init)
            s = ""
        }
        guard s.isEmpty else { return nil }
    }

    public var description: String {
        var text = epoch == 0 ? "" : "\(epoch)!"
        text += release.map(String.init).joined(separator: ".")
        if let pre { text += "\(pre.kind.label)\(pre.number)" }
        if let post { text += ".post\(post)" }
        if let dev { text += ".dev\(dev)" }
        if let local { text += "+" + local.joined(separator: ".") }
        return text
    }

    public static func == (a: PEP440Version, b: PEP440Version) -> Bool { a.compare(b) == 0 }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(epoch)
        hasher.combine(Self.trimmed(release))
        hasher.combine(pre?.kind)
        hasher.combine(pre?.number)
        hasher.combine(post)
        hasher.combine(dev)
        hasher.combine(local)
    }

    public static func < (a: PEP440Version, b: PEP440Version) -> Bool { a.compare(b) < 0 }

    static func trimmed(_ release: [Int]) -> [Int] {
        var r = release
        while r.count > 1 && r.last == 0 { r.removeLast() }
        return r
    }

    /// PEP 440 ordering (packaging's `_cmpkey`): a dev-only release sorts before the
    /// pre-releases of the same version, a missing post before any post, a missing dev after any.
    func compare(_ other: PEP440Version) -> Int {
        if epoch != other.epoch { return epoch < other.epoch ? -1 : 1 }
        let (r1, r2) = (Self.trimmed(release), Self.trimmed(other.release))
        for i in 0..<max(r1.count, r2.count) {
            let (x, y) = (i < r1.count ? r1[i] : 0, i < r2.count ? r2[i] : 0)
            if x != y { return x < y ? -1 : 1 }
        }
        func preKey(_ v: PEP440Version) -> (Int, Int, Int) {
            if let p = v.pre { return (1, p.kind.rawValue, p.number) }
            if v.post == nil && v.dev != nil { return (0, 0, 0) }
            return (2, 0, 0)
        }
        let (p1, p2) = (preKey(self), preKey(other))
        if p1 != p2 { return p1 < p2 ? -1 : 1 }
        let (q1, q2) = (post ?? -1, other.post ?? -1)
        if q1 != q2 { return q1 < q2 ? -1 : 1 }
        let (d1, d2) = (dev ?? Int.max, other.dev ?? Int.max)
        if d1 != d2 { return d1 < d2 ? -1 : 1 }
        return Self.compareLocal(local, other.local)
    }

    static func compareLocal(_ a: [String]?, _ b: [String]?) -> Int {
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case (let a?, let b?):
            for (x, y) in zip(a, b) {
                switch (Int(x), Int(y)) {
                case (let i?, let j?): if i != j { return i < j ? -1 : 1 }
                case (nil, nil): if x != y { return x < y ? -1 : 1 }
                case (nil, _?): return -1  // numeric segments sort after alphanumeric ones
                case (_?, nil): return 1
                }
            }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILetter: Bool { isASCII && isLetter }
}
