import PluginSystem

/// An RFC 6901 JSON Pointer: `""` is the whole value, `/text` a member, `/items/0` an element;
/// `~1` stands for `/` and `~0` for `~` inside a token.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    public let tokens: [String]

    public init(tokens: [String]) { self.tokens = tokens }

    /// Why text is not a pointer, and where (0-based character offset).
    public struct ParseError: Error, Sendable, Equatable {
        public var message: String
        public var offset: Int
        public init(message: String, offset: Int) {
            self.message = message
            self.offset = offset
        }
    }

    /// Reads `text` as a pointer: empty, or `/` followed by tokens.
    public init(parsing text: String) throws(ParseError) {
        guard !text.isEmpty else { self.init(tokens: []); return }
        guard text.hasPrefix("/") else {
            throw ParseError(message: "a JSON Pointer starts with '/' (/\(text))", offset: 0)
        }
        var tokens: [String] = []
        var current = ""
        var offset = 1
        var characters = text.dropFirst().makeIterator()
        while let c = characters.next() {
            switch c {
            case "/":
                tokens.append(current)
                current = ""
            case "~":
                switch characters.next() {
                case "0": current.append("~"); offset += 1
                case "1": current.append("/"); offset += 1
                case let other?: throw ParseError(message: "'~\(other)' is not an escape of a JSON Pointer (~0 is ~, ~1 is /)", offset: offset)
                case nil: throw ParseError(message: "a ~ at the end is not an escape of a JSON Pointer (~0 is ~, ~1 is /)", offset: offset)
                }
            default:
                current.append(c)
            }
            offset += 1
        }
        tokens.append(current)
        self.init(tokens: tokens)
    }

    public var description: String { tokens.map { "/" + JSONDiff.escape($0) }.joined() }

    /// The value at this pointer, or nil when there is none.
    public func resolve(in value: JSONValue) -> JSONValue? {
        var current = value
        for token in tokens {
            switch current {
            case .object(let o):
                guard let member = o.exactValue(forKey: token) else { return nil }  // keys by Unicode scalars
                current = member
            case .array(let a):
                guard let index = Self.index(token), a.indices.contains(index) else { return nil }
                current = a[index]
            default:
                return nil
            }
        }
        return current
    }

    /// An array index token: digits only, no leading zero (RFC 6901).
    static func index(_ token: String) -> Int? {
        guard !token.isEmpty, token.allSatisfy(\.isASCII), token.allSatisfy(\.isNumber), token == "0" || !token.hasPrefix("0") else { return nil }
        return Int(token)
    }

    /// Why a value cannot be put at a pointer.
    public struct SetError: Error, Sendable, Equatable {
        public var message: String
        public init(message: String) { self.message = message }
    }

    /// `value` with `new` at this pointer: an object member is replaced or added, an array element
    /// replaced (`-` or the index one past the end appends). What holds the last token must exist.
    public func setting(_ new: JSONValue, in value: JSONValue) throws(SetError) -> JSONValue {
        try set(new, in: value, at: tokens[...], walked: "")
    }

    private func set(_ new: JSONValue, in value: JSONValue, at rest: ArraySlice<String>, walked: String) throws(SetError) -> JSONValue {
        guard let token = rest.first else { return new }
        let here = walked + "/" + JSONDiff.escape(token)
        let remaining = rest.dropFirst()
        switch value {
        case .object(var o):
            if remaining.isEmpty {
                o[token] = new
            } else {
                guard let member = o[token] else { throw SetError(message: "\(here) does not exist (nothing to put \(description) in)") }
                o[token] = try set(new, in: member, at: remaining, walked: here)
            }
            return .object(o)
        case .array(var a):
            let index = token == "-" ? a.count : Self.index(token)
            guard let index, index <= a.count, remaining.isEmpty || index < a.count else {
                throw SetError(message: "\(walked.isEmpty ? "the value" : walked): no element \(token) in an array of \(a.count)")
            }
            if remaining.isEmpty {
                if index == a.count { a.append(new) } else { a[index] = new }
            } else {
                a[index] = try set(new, in: a[index], at: remaining, walked: here)
            }
            return .array(a)
        default:
            throw SetError(message: "\(walked.isEmpty ? "the value" : walked) holds \(value.typeName), not an object or an array: \(description) cannot be set")
        }
    }

    /// Every pointer to a member or element of `value` (depth first, the value's own order), up to
    /// `limit` of them: what Tab offers where a path goes.
    public static func all(in value: JSONValue, limit: Int = 500) -> [JSONPointer] {
        var out: [JSONPointer] = []
        func walk(_ v: JSONValue, _ path: [String]) {
            guard out.count < limit else { return }
            switch v {
            case .object(let o):
                for (key, member) in o {
                    out.append(JSONPointer(tokens: path + [key]))
                    walk(member, path + [key])
                }
            case .array(let a):
                for (i, element) in a.enumerated().prefix(20) {
                    out.append(JSONPointer(tokens: path + ["\(i)"]))
                    walk(element, path + ["\(i)"])
                }
            default:
                break
            }
        }
        walk(value, [])
        return Array(out.prefix(limit))
    }
}
