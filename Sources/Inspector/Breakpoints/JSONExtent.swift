/// Where a JSON value written inside other text ends, found without parsing it: a condition's
/// literal, the value of `again /path=JSON`, a line whose brackets are still open.
public enum JSONExtent {
    public struct Unclosed: Error, Sendable, Equatable {
        /// What is not closed: `text`, `{` or `[`.
        public var what: String
        /// Where it opened (0-based character offset).
        public var offset: Int
    }

    /// Just past the value starting at `start`: a string to its closing quote, an object or array
    /// to its closing bracket (strings inside skipped), anything else to a blank or one of `stops`.
    public static func end(of chars: [Character], from start: Int, stops: String = "") throws(Unclosed) -> Int {
        switch chars[start] {
        case "\"": return try stringEnd(chars, from: start)
        case "{", "[":
            var depth = 0
            var i = start
            while i < chars.count {
                switch chars[i] {
                case "\"": i = try stringEnd(chars, from: i); continue
                case "{", "[": depth += 1
                case "}", "]":
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            throw Unclosed(what: String(chars[start]), offset: start)
        default:
            var i = start
            while i < chars.count, !chars[i].isWhitespace, !stops.contains(chars[i]) { i += 1 }
            return i
        }
    }

    static func stringEnd(_ chars: [Character], from start: Int) throws(Unclosed) -> Int {
        var i = start + 1
        while i < chars.count {
            if chars[i] == "\\" { i += 2; continue }
            if chars[i] == "\"" { return i + 1 }
            i += 1
        }
        throw Unclosed(what: "text", offset: start)
    }

    /// How many `{` and `[` are still open at the end of `text` (strings skipped; an unclosed
    /// string counts as closed, since JSON strings cannot span lines).
    public static func openBrackets(_ text: String) -> Int {
        let chars = Array(text)
        var depth = 0
        var i = 0
        while i < chars.count {
            switch chars[i] {
            case "\"": i = (try? stringEnd(chars, from: i)) ?? chars.count; continue
            case "{", "[": depth += 1
            case "}", "]": depth -= 1
            default: break
            }
            i += 1
        }
        return depth
    }
}
