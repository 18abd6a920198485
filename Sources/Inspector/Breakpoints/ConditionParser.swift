import PluginSystem

/// Why a condition could not be read, and where: a 0-based character offset into its text.
public struct ConditionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }
    public var description: String { "\(message) (at character \(offset + 1))" }
}

extension Condition {
    /// How deep parentheses and `not` may nest.
    public static let maxNesting = 64

    /// Reads a condition. Grammar (lowest precedence first):
    ///
    ///     condition  = and-expr { "or" and-expr }
    ///     and-expr   = not-expr { "and" not-expr }
    ///     not-expr   = "not" not-expr | "(" condition ")" | test
    ///     test       = operand [ ("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "contains") operand
    ///                          | "matches" "/" regex "/" [flags] ]
    ///     operand    = path | "value" | JSON literal
    ///     path       = "/" token { "/" token }     (a token is plain text with ~0 ~1, or a JSON string)
    public static func parse(_ text: String) throws(ConditionError) -> Condition {
        var parser = ConditionLexer(text)
        parser.skipBlanks()
        guard !parser.atEnd else { throw ConditionError(message: "the condition is empty", offset: 0) }
        let condition = try parser.parseOr(depth: 0)
        parser.skipBlanks()
        if !parser.atEnd {
            throw parser.unexpected("expected `and`, `or` or the end of the condition")
        }
        return condition
    }
}

/// A recursive-descent reader over the condition's characters.
struct ConditionLexer {
    let chars: [Character]
    var index = 0

    init(_ text: String) { chars = Array(text) }

    var atEnd: Bool { index >= chars.count }
    var current: Character? { atEnd ? nil : chars[index] }

    mutating func skipBlanks() { while let c = current, c.isWhitespace { index += 1 } }

    /// Characters that end an unquoted path token.
    static func endsPathToken(_ c: Character) -> Bool { c.isWhitespace || "/()=!<>".contains(c) }

    static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    /// The word at the cursor (letters, digits, `_`), without moving.
    func peekWord() -> String? {
        var end = index
        while end < chars.count, Self.isWordCharacter(chars[end]) { end += 1 }
        guard end > index, chars[index].isLetter || chars[index] == "_" else { return nil }
        return String(chars[index..<end])
    }

    mutating func takeWord(_ word: String) -> Bool {
        skipBlanks()
        guard peekWord() == word else { return false }
        index += word.count
        return true
    }

    func error(_ message: String, at offset: Int? = nil) -> ConditionError {
        ConditionError(message: message, offset: offset ?? index)
    }

    /// An error naming what was found at the cursor, with a hint for the usual slips.
    func unexpected(_ expectation: String) -> ConditionError {
        guard let c = current else { return error("\(expectation), found the end of the condition") }
        let rest = String(chars[index...])
        let hint: String
        if rest.hasPrefix("&&") { hint = " (write `and`)" }
        else if rest.hasPrefix("||") { hint = " (write `or`)" }
        else if rest.hasPrefix("=") && !rest.hasPrefix("==") { hint = " (compare with ==)" }
        else if c == "!" && !rest.hasPrefix("!=") { hint = " (write `not`)" }
        else if c == "'" { hint = " (texts are JSON: write them in double quotes)" }
        else { hint = "" }
        let found = peekWord().map { "'\($0)'" } ?? "'\(c)'"
        return error("\(expectation), found \(found)\(hint)")
    }

    mutating func parseOr(depth: Int) throws(ConditionError) -> Condition {
        var left = try parseAnd(depth: depth)
        while takeWord("or") { left = .or(left, try parseAnd(depth: depth)) }
        return left
    }

    mutating func parseAnd(depth: Int) throws(ConditionError) -> Condition {
        var left = try parseNot(depth: depth)
        while takeWord("and") { left = .and(left, try parseNot(depth: depth)) }
        return left
    }

    mutating func parseNot(depth: Int) throws(ConditionError) -> Condition {
        skipBlanks()
        guard depth < Condition.maxNesting else {
            throw error("the condition nests deeper than \(Condition.maxNesting) levels of `not` and parentheses")
        }
        let start = index
        if takeWord("not") {
            skipBlanks()
            guard !atEnd else { throw error("`not` needs a condition after it", at: start) }
            return .not(try parseNot(depth: depth + 1))
        }
        if current == "(" {
            index += 1
            skipBlanks()
            guard !atEnd else { throw error("`(` needs a condition and a closing `)`", at: start) }
            let inner = try parseOr(depth: depth + 1)
            skipBlanks()
            guard current == ")" else { throw unexpected("expected `)` to close the `(` at character \(start + 1)") }
            index += 1
            return inner
        }
        return try parseTest()
    }

    mutating func parseTest() throws(ConditionError) -> Condition {
        let left = try parseOperand()
        skipBlanks()
        for op in [Condition.Comparison.equal, .notEqual, .lessOrEqual, .greaterOrEqual, .less, .greater] where rest(startsWith: op.rawValue) {
            let at = index
            index += op.rawValue.count
            return .compare(left, op, try parseOperand(after: "'\(op.rawValue)'", at: at))
        }
        let at = index
        if takeWord("in") { return .compare(left, .in, try parseOperand(after: "`in`", at: at)) }
        if takeWord("contains") { return .compare(left, .contains, try parseOperand(after: "`contains`", at: at)) }
        if takeWord("matches") { return .matches(left, try parsePattern()) }
        return .truthy(left)
    }

    func rest(startsWith text: String) -> Bool {
        let t = Array(text)
        return index + t.count <= chars.count && Array(chars[index..<(index + t.count)]) == t
    }

    mutating func parseOperand(after what: String? = nil, at: Int? = nil) throws(ConditionError) -> Condition.Operand {
        skipBlanks()
        let expectation = "expected a path (/text), a JSON value or `value`" + (what.map { " after \($0)" } ?? "")
        guard let c = current else {
            if let what { throw error("\(what) needs a path or a value after it", at: at) }
            throw unexpected(expectation)
        }
        if c == "/" { return .path(try parsePath()) }
        if c == "\"" || c == "{" || c == "[" || c == "-" || c.isNumber { return .literal(try parseLiteral()) }
        if let word = peekWord() {
            switch word {
            case "true", "false", "null":
                return .literal(try parseLiteral())
            case "value":
                index += word.count
                return .whole
            case "and", "or", "not", "in", "contains", "matches":
                throw unexpected(expectation)
            default:
                throw error("unknown word '\(word)': a path starts with / (/\(word)), a text is quoted (\"\(word)\"), the whole value is `value`")
            }
        }
        throw unexpected(expectation)
    }

    /// `/token/token…` where a token is plain (with ~0 ~1) or a JSON string.
    mutating func parsePath() throws(ConditionError) -> JSONPointer {
        var tokens: [String] = []
        while current == "/" {
            index += 1
            if current == "\"" {
                let start = index
                let end = try stringEnd(from: start)
                guard case .string(let token) = try literal(start, end) else { throw error("a quoted path token must be a text", at: start) }
                tokens.append(token)
                index = end
                continue
            }
            var token = ""
            while let c = current, !Self.endsPathToken(c) {
                if c == "~" {
                    let next = index + 1 < chars.count ? chars[index + 1] : nil
                    guard next == "0" || next == "1" else { throw error("'~' in a path must be ~0 (for ~) or ~1 (for /)") }
                    token.append(next == "0" ? "~" : "/")
                    index += 2
                    continue
                }
                if c == "\"" { throw error("a quote inside a path token: quote the whole token (/\"a b\")") }
                token.append(c)
                index += 1
            }
            tokens.append(token)
        }
        return JSONPointer(tokens: tokens)
    }

    /// A JSON literal: its extent is found here, its value read by the JSON parser.
    mutating func parseLiteral() throws(ConditionError) -> JSONValue {
        let start = index
        let end: Int
        do {
            end = try JSONExtent.end(of: chars, from: start, stops: "()=!<>")
        } catch {
            throw self.error(error.what == "text" ? "unclosed text: no closing \"" : "unclosed \(error.what): no closing \(error.what == "{" ? "}" : "]")", at: error.offset)
        }
        let value = try literal(start, end)
        index = end
        return value
    }

    func literal(_ start: Int, _ end: Int) throws(ConditionError) -> JSONValue {
        let text = String(chars[start..<end])
        do {
            return try JSONValue.parse(text, maxDepth: JSONLimits.maxDepth)
        } catch {
            // The parser counts bytes; the caret counts characters.
            let bytes = Array(text.utf8)
            let prefix = String(decoding: bytes.prefix(min(error.offset, bytes.count)), as: UTF8.self)
            throw self.error("not a JSON value: \(error.message)", at: start + prefix.count)
        }
    }

    /// Just past the closing quote of the string opening at `start`.
    func stringEnd(from start: Int) throws(ConditionError) -> Int {
        do { return try JSONExtent.stringEnd(chars, from: start) } catch {
            throw self.error("unclosed text: no closing \"", at: start)
        }
    }

    /// `/regex/flags` after `matches`.
    mutating func parsePattern() throws(ConditionError) -> Condition.Pattern {
        skipBlanks()
        let start = index
        guard current == "/" else {
            throw atEnd ? error("`matches` needs a regular expression written /…/ after it")
                : unexpected("`matches` takes a regular expression written /…/")
        }
        var i = start + 1
        var source = ""
        while true {
            guard i < chars.count else { throw error("unclosed regular expression: no closing /", at: start) }
            let c = chars[i]
            if c == "\\", i + 1 < chars.count {
                source.append(c)
                source.append(chars[i + 1])
                i += 2
                continue
            }
            if c == "/" { break }
            source.append(c)
            i += 1
        }
        i += 1
        var flags = ""
        while i < chars.count, Self.isWordCharacter(chars[i]) {
            let flag = chars[i]
            guard "ims".contains(flag) else { throw error("unknown regular expression flag '\(flag)' (i: ignore case, m: ^ and $ at line ends, s: . matches newlines)", at: i) }
            guard !flags.contains(flag) else { throw error("the flag '\(flag)' is given twice", at: i) }
            flags.append(flag)
            i += 1
        }
        var regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(source)
        } catch {
            throw self.error("bad regular expression /\(source)/: \(error)", at: start)
        }
        if flags.contains("i") { regex = regex.ignoresCase() }
        if flags.contains("m") { regex = regex.anchorsMatchLineEndings() }
        if flags.contains("s") { regex = regex.dotMatchesNewlines() }
        index = i
        return Condition.Pattern(source: source, flags: flags, regex: CompiledRegex(regex))
    }
}
