/// toml++ reports a string left open as what it met where the closing quote should have been: the
/// line's end ("unescaped control characters other than TAB (U+0009) are explicitly prohibited")
/// or the file's ("encountered end-of-file"). Read where the string opened, the message says what
/// happened instead: `2:8: unterminated string: the line ends before its closing "`.
struct TOMLUnterminatedString: Equatable {
    /// Where the string opens (its first quote), counted from 1 as toml++ counts.
    var line: Int
    var column: Int
    /// `"`, `'`, `"""` or `'''`.
    var delimiter: String

    var multiline: Bool { delimiter.count == 3 }

    var message: String {
        multiline
            ? "unterminated multi-line string: the file ends before its closing \(delimiter)"
            : "unterminated string: the line ends before its closing \(delimiter)"
    }

    /// The first string in `text` that is never closed, outside comments; nil when every string is.
    static func first(in text: String) -> TOMLUnterminatedString? {
        let chars = Array(text)
        var i = 0, line = 1, lineStart = 0
        func isNewline(_ c: Character) -> Bool { c == "\n" || c == "\r\n" }
        func starts(_ s: String, at j: Int) -> Bool {
            var k = j
            for c in s {
                guard k < chars.count, chars[k] == c else { return false }
                k += 1
            }
            return true
        }
        while i < chars.count {
            let c = chars[i]
            if isNewline(c) {
                line += 1
                i += 1
                lineStart = i
                continue
            }
            if c == "#" {
                while i < chars.count && !isNewline(chars[i]) { i += 1 }
                continue
            }
            guard c == "\"" || c == "'" else {
                i += 1
                continue
            }
            let delimiter = starts(String(repeating: c, count: 3), at: i) ? String(repeating: c, count: 3) : String(c)
            let opened = TOMLUnterminatedString(line: line, column: i - lineStart + 1, delimiter: delimiter)
            let escapes = c == "\""
            i += delimiter.count
            var closed = false
            while i < chars.count {
                let s = chars[i]
                if escapes && s == "\\" {
                    i += 2
                    continue
                }
                if isNewline(s) {
                    if !opened.multiline { return opened }
                    line += 1
                    lineStart = i + 1
                } else if starts(delimiter, at: i) {
                    i += delimiter.count
                    // A multi-line string may end with up to two more quotes of its own (`""""x""""`).
                    if opened.multiline { while i < chars.count && chars[i] == c { i += 1 } }
                    closed = true
                    break
                }
                i += 1
            }
            if !closed { return opened }
        }
        return nil
    }

    /// toml++'s message about a string at `line`, rewritten when it is about this string left open;
    /// nil when it is about something else.
    static func clarifying(_ message: String, line errorLine: Int, in text: String) -> TOMLUnterminatedString? {
        guard message.hasPrefix("Error while parsing"), message.contains("string"), let open = first(in: text) else { return nil }
        if open.multiline { return message.contains("end-of-file") && errorLine >= open.line ? open : nil }
        return errorLine == open.line ? open : nil
    }
}
