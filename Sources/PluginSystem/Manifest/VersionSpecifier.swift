/// A PEP 440 specifier set such as `>=0.1.0,<1.0.0`, checked the way `packaging.SpecifierSet`
/// checks `version in spec`: pre-releases are accepted when every clause admits them, with PEP 440's
/// exclusive-comparison rules (`<0.5` rejects `0.5.0rc1`, `>0.4.1` rejects `0.4.1.post1`).
public struct VersionSpecifierSet: Sendable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable {
        case compatible = "~=", equal = "==", notEqual = "!=", lessOrEqual = "<=", greaterOrEqual = ">="
        case less = "<", greater = ">", arbitrary = "==="
    }

    public struct Clause: Sendable {
        public let op: Operator
        public let text: String
        let version: PEP440Version?
        /// `==1.0.*` / `!=1.0.*`: the release prefix to match.
        let wildcardPrefix: PEP440Version?
    }

    public let clauses: [Clause]
    public let description: String

    public struct InvalidSpecifier: Error, Sendable, CustomStringConvertible {
        public let specifier: String
        public var description: String { "Invalid specifier: '\(specifier)'" }
    }

    public init(_ text: String) throws(InvalidSpecifier) {
        description = text
        var clauses: [Clause] = []
        for rawPart in text.split(separator: ",", omittingEmptySubsequences: false) {
            let part = rawPart.trimmingCharacters(in: .whitespaces)
            if part.isEmpty && text.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let clause = Self.parseClause(part) else { throw InvalidSpecifier(specifier: part) }
            clauses.append(clause)
        }
        self.clauses = clauses
    }

    static func parseClause(_ text: String) -> Clause? {
        // Longest operators first so `===` is not read as `==`.
        let ops: [Operator] = [.arbitrary, .compatible, .equal, .notEqual, .lessOrEqual, .greaterOrEqual, .less, .greater]
        guard let op = ops.first(where: { text.hasPrefix($0.rawValue) }) else { return nil }
        let operand = text.dropFirst(op.rawValue.count).trimmingCharacters(in: .whitespaces)
        guard !operand.isEmpty, !operand.contains(" ") else { return nil }
        if op == .arbitrary { return Clause(op: op, text: operand, version: nil, wildcardPrefix: nil) }
        if operand.hasSuffix(".*") {
            guard op == .equal || op == .notEqual, let prefix = PEP440Version(String(operand.dropLast(2))),
                prefix.local == nil, prefix.dev == nil
            else { return nil }
            return Clause(op: op, text: operand, version: nil, wildcardPrefix: prefix)
        }
        guard let version = PEP440Version(operand) else { return nil }
        if version.local != nil && op != .equal && op != .notEqual { return nil }
        if op == .compatible && version.release.count < 2 { return nil }
        return Clause(op: op, text: operand, version: version, wildcardPrefix: nil)
    }

    public func contains(_ candidate: PEP440Version) -> Bool {
        clauses.allSatisfy { Self.matches($0, candidate) }
    }

    static func matches(_ clause: Clause, _ v: PEP440Version) -> Bool {
        switch clause.op {
        case .arbitrary: return v.description.lowercased() == clause.text.lowercased()
        case .equal: return equal(clause, v)
        case .notEqual: return !equal(clause, v)
        case .lessOrEqual: return v.publicVersion <= clause.version!
        case .greaterOrEqual: return v.publicVersion >= clause.version!
        case .less:
            let spec = clause.version!
            guard v < spec else { return false }
            if !spec.isPrerelease && v.isPrerelease && v.baseVersion == spec.baseVersion { return false }
            return true
        case .greater:
            let spec = clause.version!
            guard v > spec else { return false }
            if !spec.isPostrelease && v.isPostrelease && v.baseVersion == spec.baseVersion { return false }
            if v.local != nil && v.baseVersion == spec.baseVersion { return false }
            return true
        case .compatible:
            let spec = clause.version!
            var prefix = spec.baseVersion
            prefix.release.removeLast()
            let prefixClause = Clause(op: .equal, text: "", version: nil, wildcardPrefix: prefix)
            return v.publicVersion >= spec && equal(prefixClause, v)
        }
    }

    static func equal(_ clause: Clause, _ v: PEP440Version) -> Bool {
        if let prefix = clause.wildcardPrefix {
            // Compare the candidate's public version, padded, against the prefix's segments.
            let candidate = v.publicVersion
            guard candidate.epoch == prefix.epoch else { return false }
            var release = candidate.release
            while release.count < prefix.release.count { release.append(0) }
            guard Array(release.prefix(prefix.release.count)) == prefix.release else { return false }
            if let pre = prefix.pre {
                guard let cp = candidate.pre, cp.kind == pre.kind, cp.number == pre.number else { return false }
            }
            if let post = prefix.post { guard candidate.post == post else { return false } }
            return true
        }
        let spec = clause.version!
        return (spec.local == nil ? v.publicVersion : v) == spec
    }
}
