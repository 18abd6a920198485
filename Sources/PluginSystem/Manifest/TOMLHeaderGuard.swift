/// toml++ (inside TOMLKit) asserts — aborting the process in a debug build — on a table header whose
/// first key starts with a character a key cannot start with (`[:x]`, `[[ :x]]`); a release build
/// reports a parse error instead. This finds such headers first, so a broken `dagstack.toml` is a
/// clear error in every build, never a crash (found by RobustnessTests' fuzzing).
enum TOMLHeaderGuard {
    struct Problem {
        var line: Int
        var column: Int
    }

    static func isKeyStart(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-") || c == "\"" || c == "'" || c == "]"
    }

    /// The first table header (outside strings and multi-line values) whose key starts badly.
    static func check(_ text: String) -> Problem? {
        let chars = Array(text)
        var i = 0, line = 1, lineStart = 0
        var depth = 0  // open [ and { of values
        var atLineStart = true
        while i < chars.count {
            let c = chars[i]
            if c == "\n" {
                line += 1
                i += 1
                lineStart = i
                atLineStart = true
                continue
            }
            if atLineStart && (c == " " || c == "\t") { i += 1; continue }
            if atLineStart && depth == 0 && c == "[" {
                atLineStart = false
                var j = i + 1
                if j < chars.count && chars[j] == "[" { j += 1 }
                while j < chars.count && (chars[j] == " " || chars[j] == "\t") { j += 1 }
                // A header cannot span lines either: `[` then a newline is as bad.
                if j < chars.count && !isKeyStart(chars[j]) { return Problem(line: line, column: j - lineStart + 1) }
                while i < chars.count && chars[i] != "\n" && chars[i] != "#" { i += 1 }  // the rest is the header
                continue
            }
            atLineStart = false
            switch c {
            case "#":
                while i < chars.count && chars[i] != "\n" { i += 1 }
                continue
            case "\"", "'":
                let triple = i + 2 < chars.count && chars[i + 1] == c && chars[i + 2] == c
                i += triple ? 3 : 1
                while i < chars.count {
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
            case "[", "{": depth += 1
            case "]", "}": depth = max(0, depth - 1)
            default: break
            }
            i += 1
        }
        return nil
    }
}
