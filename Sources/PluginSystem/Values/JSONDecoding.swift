/// Where and why JSON text could not be read: a byte offset plus the line and column a person
/// would look at (both 1-based), and for a value beyond the limits (`JSONLimits`) the path to it.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Text that is not JSON, or JSON the console does not carry.
    public enum Kind: Sendable, Equatable {
        case syntax
        /// Nested deeper than the limit.
        case tooDeep
        /// An integer beyond 64 bits or a number beyond a double's range.
        case numberOutOfRange
        /// A string that is not valid UTF-8.
        case invalidUTF8
        /// Two keys of one object that differ only in Unicode normalisation ("é" as one scalar and as
        /// "e" + U+0301): JSON allows both, but an object here cannot hold both, and dropping one
        /// would change the value unseen.
        case keysDifferOnlyInNormalisation
    }

    public let message: String
    public let offset: Int
    public let line: Int
    public let column: Int
    public var kind: Kind = .syntax
    /// The steps from the document's root to the offending value (`.key`, `[3]`), outermost first.
    public var steps: [String] = []

    /// The JSON path of the offending value (`$.result.value[0]`), shortened when long.
    public var path: String { JSONLimits.abbreviated(steps) }

    public var description: String { "\(message) at line \(line), column \(column)" }

    /// What is wrong and where, for an answer the console cannot read: the path for a value beyond
    /// the limits, the column for text that is not JSON.
    public var limitDescription: String {
        kind == .syntax ? "not valid JSON: \(message) at column \(column)" : "\(message) at \(path)"
    }
}

extension JSONValue {
    /// Parses one JSON document. Object keys keep their order; a duplicate key keeps the last value
    /// (as Python's `json.loads` does); two keys that differ only in Unicode normalisation are an
    /// error (`keysDifferOnlyInNormalisation`), not one key. NaN and Infinity are rejected: they are not JSON.
    /// - Parameter maxDepth: `JSONLimits.maxMessageDepth` for messages and files that carry values;
    ///   `JSONLimits.maxDepth` for a value typed by a person, so that it can come back in an answer.
    public static func parse(_ text: String, maxDepth: Int = JSONLimits.maxMessageDepth) throws(JSONParseError) -> JSONValue {
        try parse(bytes: Array(text.utf8), maxDepth: maxDepth)
    }

    public static func parse(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = JSONLimits.maxMessageDepth) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("extra data after the JSON value") }
        return value
    }

    public static func parse(bytes: [UInt8], maxDepth: Int = JSONLimits.maxMessageDepth) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in try parse(bytes: buffer, maxDepth: maxDepth) }
    }
}

struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    let maxDepth: Int

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func error(_ message: String, at position: Int? = nil, kind: JSONParseError.Kind) -> JSONParseError {
        var error = error(message, at: position)
        error.kind = kind
        return error
    }

    func error(_ message: String, at position: Int? = nil) -> JSONParseError {
        let offset = min(position ?? index, bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        // Columns count characters, not bytes: skip UTF-8 continuation bytes.
        var column = 1
        for i in lineStart..<offset where bytes[i] & 0xC0 != 0x80 { column += 1 }
        return JSONParseError(message: message, offset: offset, line: line, column: column)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        guard depth < maxDepth else { throw error("a value nested deeper than \(maxDepth) levels", kind: .tooDeep) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw error("NaN and Infinity are not valid JSON")
        default:
            throw error("unexpected character '\(Self.printable(bytes[index]))', expected a value")
        }
    }

    /// A long number for a message: its first and last digits and how many there are.
    static func shortened(_ number: String) -> String {
        number.count <= 24 ? number : "\(number.prefix(10))…\(number.suffix(6)) (\(number.count) characters)"
    }

    static func printable(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    mutating func expectLiteral(_ word: String) throws(JSONParseError) {
        let literal = Array(word.utf8)
        let count = literal.count
        let start = index
        guard index + count <= bytes.count else { throw error("invalid literal, expected '\(word)'", at: start) }
        for i in 0..<count where bytes[index + i] != literal[i] {
            throw error("invalid literal, expected '\(word)'", at: start)
        }
        index += count
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        index += 1
        var members = JSONObject()
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a string key in object")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after object key") }
            index += 1
            skipWhitespace()
            let value: JSONValue
            do { value = try parseValue(depth: depth + 1) } catch { throw Self.within(".\(key)", error) }
            if members.updateValue(value, forKey: key) != nil, let index = members.index(forKey: key), !members.keys[index].exactlyEquals(key) {
                let held = members.keys[index]
                throw error(
                    "two keys differ only in Unicode normalisation (\"\(held.scalarsEscaped)\" and \"\(key.scalarsEscaped)\"); an object here cannot hold both",
                    kind: .keysDifferOnlyInNormalisation)
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input inside an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("expected ',' or '}' in object")
        }
    }

    /// A limit error inside a member gets the member's step in its path on the way out (the path is
    /// built only when there is an error).
    static func within(_ step: String, _ error: JSONParseError) -> JSONParseError {
        guard error.kind != .syntax else { return error }
        var error = error
        error.steps.insert(step, at: 0)
        return error
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            skipWhitespace()
            do { items.append(try parseValue(depth: depth + 1)) } catch { throw Self.within("[\(items.count)]", error) }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input inside an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            throw error("expected ',' or ']' in array")
        }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        index += 1
        // Fast path: no escapes, valid UTF-8 — one copy straight from the buffer.
        var scan = index
        while scan < bytes.count {
            let byte = bytes[scan]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[index..<scan])
                guard let text = String(validating: slice, as: UTF8.self) else {
                    throw error("invalid UTF-8 in a string", at: start, kind: .invalidUTF8)
                }
                index = scan + 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            scan += 1
        }
        var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[index..<scan]))
        index = scan
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: out, as: UTF8.self) else {
                    throw error("invalid UTF-8 in a string", at: start, kind: .invalidUTF8)
                }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(34)
                case UInt8(ascii: "\\"): out.append(92)
                case UInt8(ascii: "/"): out.append(47)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800..<0xDC00).contains(scalar),
                        index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    {
                        let save = index
                        index += 2
                        let low = try parseHex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            index = save
                        }
                    }
                    // A lone surrogate cannot be UTF-8; Python would keep it, we substitute U+FFFD.
                    let unicode = UnicodeScalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    throw error("invalid escape '\\\(Self.printable(escape))' in string", at: index - 2)
                }
            case 0..<0x20:
                throw error("control character in string (escape it as \\u00\(String(byte, radix: 16)))")
            default:
                out.append(byte)
                index += 1
            }
        }
        throw error("unterminated string", at: start)
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - 55)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (48...57).contains(bytes[index]) else { throw error("invalid number", at: start) }
        if bytes[index] == 48 {
            index += 1
            if index < bytes.count, (48...57).contains(bytes[index]) {
                throw error("leading zeros are not allowed in numbers", at: start)
            }
        } else {
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, (48...57).contains(bytes[index]) else { throw error("expected digits after '.'") }
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, (48...57).contains(bytes[index]) else { throw error("expected digits in exponent") }
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger {
            guard let int = Int(text) else {
                throw error("the integer \(Self.shortened(text)) is beyond 64 bits (\(JSONLimits.integerRange)), which is what is carried exactly", at: start, kind: .numberOutOfRange)
            }
            return .int(int)
        }
        guard let double = Double(text), double.isFinite else {
            throw error("the number \(Self.shortened(text)) is beyond the range of a double", at: start, kind: .numberOutOfRange)
        }
        return .double(double)
    }
}
