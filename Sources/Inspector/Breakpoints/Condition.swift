import PluginSystem

/// A breakpoint's condition over the value a stage receives: JSON Pointer paths, JSON literals,
/// `==` `!=` `<` `<=` `>` `>=` `in` `contains` `matches /regex/`, `and` `or` `not`, parentheses.
/// It is parsed (`Condition.parse`) into this tree and evaluated; nothing in it is ever run as code.
public indirect enum Condition: Sendable, Equatable, CustomStringConvertible {
    case compare(Operand, Comparison, Operand)
    case matches(Operand, Pattern)
    /// A path or value on its own: true when it exists and is truthy (not null, false, 0, "", [], {}).
    case truthy(Operand)
    case not(Condition)
    case and(Condition, Condition)
    case or(Condition, Condition)

    public enum Operand: Sendable, Equatable, CustomStringConvertible {
        /// A member of the value (`/text`); missing when there is none.
        case path(JSONPointer)
        /// The whole value (`value`).
        case whole
        case literal(JSONValue)

        func resolve(_ value: JSONValue) -> JSONValue? {
            switch self {
            case .path(let pointer): pointer.resolve(in: value)
            case .whole: value
            case .literal(let literal): literal
            }
        }

        public var description: String {
            switch self {
            case .path(let pointer): ConditionPrinter.path(pointer)
            case .whole: "value"
            case .literal(let literal): literal.encoded()
            }
        }
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case `in`, contains
    }

    /// A regular expression written `/…/flags` (`i` ignore case, `m` ^ and $ at line ends,
    /// `s` . matches newlines).
    public struct Pattern: Sendable, Equatable, CustomStringConvertible {
        public let source: String
        public let flags: String
        let regex: CompiledRegex

        public static func == (a: Pattern, b: Pattern) -> Bool { a.source == b.source && a.flags == b.flags }
        /// The source never holds an unescaped `/`: the parser ends the pattern there.
        public var description: String { "/\(source)/\(flags)" }
    }

    /// Whether the condition holds for the value a stage receives.
    public func evaluate(_ value: JSONValue) -> Bool {
        switch self {
        case .compare(let left, let op, let right):
            Self.compare(left.resolve(value), op, right.resolve(value))
        case .matches(let operand, let pattern):
            operand.resolve(value)?.stringValue.map(pattern.regex.matches) ?? false
        case .truthy(let operand):
            operand.resolve(value)?.isTruthy ?? false
        case .not(let inner): !inner.evaluate(value)
        case .and(let a, let b): a.evaluate(value) && b.evaluate(value)
        case .or(let a, let b): a.evaluate(value) || b.evaluate(value)
        }
    }

    /// A missing path compares unequal to everything and is in nothing; comparisons across types
    /// (a number and a text) are false, as is ordering anything but two numbers or two texts.
    /// Texts compare by Unicode scalars, as the plugins see them: "café" and "cafe\u0301" differ
    /// (`matches` is a regular expression, which matches by character and finds either).
    static func compare(_ a: JSONValue?, _ op: Comparison, _ b: JSONValue?) -> Bool {
        switch op {
        case .equal: guard let a, let b else { return false }; return a.numericallyEquals(b)
        case .notEqual: guard let a, let b else { return true }; return !a.numericallyEquals(b)
        case .in: guard let a, let b else { return false }; return contains(b, a)
        case .contains: guard let a, let b else { return false }; return contains(a, b)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let a, let b, let order = ordering(a, b) else { return false }
            switch op {
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            default: return order >= 0
            }
        }
    }

    /// -1, 0 or 1 for two numbers or two texts (by Unicode scalar); nil otherwise.
    static func ordering(_ a: JSONValue, _ b: JSONValue) -> Int? {
        if let x = a.doubleValue, let y = b.doubleValue {
            if case .int(let i) = a, case .int(let j) = b { return i < j ? -1 : i == j ? 0 : 1 }
            return x < y ? -1 : x == y ? 0 : 1
        }
        if case .string(let x) = a, case .string(let y) = b {
            if x.exactlyEquals(y) { return 0 }
            return x.precedesExactly(y) ? -1 : 1
        }
        return nil
    }

    /// Text contains text, an array an equal element, an object a key.
    static func contains(_ container: JSONValue, _ item: JSONValue) -> Bool {
        switch container {
        case .string(let s): item.stringValue.map { s.containsExactly($0) } ?? false
        case .array(let a): a.contains { $0.numericallyEquals(item) }
        case .object(let o): item.stringValue.map { o.exactValue(forKey: $0) != nil } ?? false
        default: false
        }
    }

    /// The condition written back in the language, parenthesised where precedence needs it;
    /// parsing it gives the same condition.
    public var description: String { ConditionPrinter.print(self, parent: 0) }
}

/// A compiled regular expression, shared by the pattern's copies.
final class CompiledRegex: Sendable {
    // Swift's Regex is a value with no shared mutable state, but it is not declared Sendable.
    nonisolated(unsafe) let regex: Regex<AnyRegexOutput>

    init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }

    func matches(_ text: String) -> Bool { (try? regex.firstMatch(in: text)) != nil }
}

enum ConditionPrinter {
    /// `or` binds loosest (1), then `and` (2), then `not` (3); a child looser than its parent is parenthesised.
    static func print(_ c: Condition, parent: Int) -> String {
        let (text, level): (String, Int) = switch c {
        case .or(let a, let b): ("\(print(a, parent: 1)) or \(print(b, parent: 2))", 1)
        case .and(let a, let b): ("\(print(a, parent: 2)) and \(print(b, parent: 3))", 2)
        case .not(let inner): ("not \(print(inner, parent: 3))", 3)
        case .compare(let a, let op, let b): ("\(a) \(op.rawValue) \(b)", 4)
        case .matches(let a, let p): ("\(a) matches \(p)", 4)
        case .truthy(let a): ("\(a)", 4)
        }
        return level < parent ? "(\(text))" : text
    }

    /// A path as the language reads it: tokens with characters the language uses are quoted.
    static func path(_ pointer: JSONPointer) -> String {
        guard !pointer.tokens.isEmpty else { return "value" }
        return pointer.tokens.map { token in
            let plain = !token.isEmpty && !token.contains { ConditionLexer.endsPathToken($0) || $0 == "\"" }
            return "/" + (plain ? JSONDiff.escape(token) : JSONValue.string(token).encoded())
        }.joined()
    }
}
