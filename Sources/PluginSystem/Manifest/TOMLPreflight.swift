/// What is checked in a manifest's text before toml++ (inside TOMLKit) sees it, because toml++ would
/// crash or silently misread it:
/// - a table header whose first key starts with a character a key cannot start with (`[:x]`,
///   `[[ :x]]`) makes toml++ assert, aborting the process in a debug build (found by fuzzing);
/// - a key or table header of thousands of dotted parts (`[plugin.metadata.a.a.a…]`) builds a
///   table nested as deep, whose conversion and destruction recurse once per level: a crash past
///   a few thousand. Deeper than `JSONLimits.maxDepth` is refused, as TOML arrays and inline tables
///   already are by toml++;
/// - a NUL character: TOMLKit hands toml++ a C string, so everything after a NUL would be
///   silently ignored.
enum TOMLPreflight {
    struct Problem: Equatable {
        var line: Int
        var column: Int
        var message: String
    }

    static let badHeader = "a table name must start with a letter, digit, '_', '-' or a quote"

    static func isKeyStart(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-") || c == "\"" || c == "'" || c == "]"
    }

    /// The first problem, outside strings and comments (a NUL anywhere).
    static func check(_ text: String) -> Problem? {
        let chars = Array(text)
        var i = 0, line = 1, lineStart = 0
        var depth = 0  // open [ and { of values
        var atLineStart = true
        // Dotted parts of the key being read: `.` outside strings since the last `=`, `,`, bracket or line.
        var dots = 0
        func problem(_ at: Int, _ message: String) -> Problem { Problem(line: line, column: at - lineStart + 1, message: message) }
        func tooDeep(_ at: Int) -> Problem {
            problem(at, "a key of more than \(JSONLimits.maxDepth) dotted parts (values nest at most \(JSONLimits.maxDepth) levels deep)")
        }
        while i < chars.count {
            let c = chars[i]
            if c == "\u{0}" { return problem(i, "a NUL character; TOML text cannot contain one") }
            if c == "\n" {
                line += 1
                i += 1
                lineStart = i
                atLineStart = true
                dots = 0
                continue
            }
            if atLineStart && (c == " " || c == "\t") { i += 1; continue }
            if atLineStart && depth == 0 && c == "[" {
                atLineStart = false
                var j = i + 1
                if j < chars.count && chars[j] == "[" { j += 1 }
                while j < chars.count && (chars[j] == " " || chars[j] == "\t") { j += 1 }
                // A header cannot span lines either: `[` then a newline is as bad.
                if j < chars.count && !isKeyStart(chars[j]) { return problem(j, badHeader) }
                // The rest of the line is the header: count its dotted parts outside quotes.
                var headerDots = 0
                var quote: Character?
                while i < chars.count && chars[i] != "\n" && (quote != nil || chars[i] != "#") {
                    let h = chars[i]
                    if h == "\u{0}" { return problem(i, "a NUL character; TOML text cannot contain one") }
                    if let open = quote {
                        if h == "\\" && open == "\"" { i += 1 } else if h == open { quote = nil }
                    } else if h == "\"" || h == "'" {
                        quote = h
                    } else if h == "." {
                        headerDots += 1
                        if headerDots >= JSONLimits.maxDepth { return tooDeep(i) }
                    }
                    i += 1
                }
                continue
            }
            atLineStart = false
            switch c {
            case "#":
                while i < chars.count && chars[i] != "\n" {
                    if chars[i] == "\u{0}" { return problem(i, "a NUL character; TOML text cannot contain one") }
                    i += 1
                }
                continue
            case "\"", "'":
                let triple = i + 2 < chars.count && chars[i + 1] == c && chars[i + 2] == c
                i += triple ? 3 : 1
                while i < chars.count {
                    if chars[i] == "\u{0}" { return problem(i, "a NUL character; TOML text cannot contain one") }
                    if chars[i] == "\\" && c == "\"" { i += 2; continue }
                    if chars[i] == "\n" {
                        if !triple { break }
                        line += 1
                        lineStart = i + 1
                    }
                    if chars[i] == c && (!triple || (i + 2 < chars.count && chars[i + 1] == c && chars[i + 2] == c)) {
                        i += triple ? 3 : 1
                        break
                    }
                    i += 1
                }
                continue
            case "[", "{":
                depth += 1
                dots = 0
            case "]", "}":
                depth = max(0, depth - 1)
                dots = 0
            case "=", ",": dots = 0
            case ".":
                dots += 1
                if dots >= JSONLimits.maxDepth { return tooDeep(i) }
            default: break
            }
            i += 1
        }
        return nil
    }
}
