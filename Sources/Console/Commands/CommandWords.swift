/// One word of a command line, unquoted, with where it stood in the text it came from.
struct CommandWord: Sendable, Equatable {
    /// The word as a shell would pass it on: quotes removed, escapes resolved.
    var text: String
    /// Where the word starts and ends in the text (0-based character offsets, end exclusive).
    var start: Int
    var end: Int
    /// Quotes or backslashes made the word differ from what was typed.
    var quoted: Bool
    /// Where a quote that is still open starts (only from `typing(_:)`, for a line being typed).
    var openQuote: Int? = nil
}

/// Splits a command line into words the way a POSIX shell does, so what works in a terminal works
/// here: blanks separate words; '…' keeps everything literally; "…" keeps everything but lets
/// a backslash escape ", \, $ and `; outside quotes a backslash makes the next character literal.
/// `""` is an empty word (not nothing), and an unclosed quote is an error that says where it opened.
enum CommandWords {
    /// Every word of `text`. `offset` is where `text` starts in the typed line, for error columns.
    static func split(_ text: String, offset: Int = 0) throws(ConsoleError) -> [CommandWord] {
        var scanner = Scanner(Array(text), offset: offset)
        var words: [CommandWord] = []
        while let word = try scanner.next() { words.append(word) }
        return words
    }

    /// The first word of `text` only: the rest is not looked at (a JSON value may follow).
    static func first(_ text: String, offset: Int = 0) throws(ConsoleError) -> CommandWord? {
        var scanner = Scanner(Array(text), offset: offset)
        return try scanner.next()
    }

    /// The words of a line still being typed: a quote left open ends the last word instead of being an
    /// error (Tab completes inside it).
    static func typing(_ text: String) -> [CommandWord] {
        var scanner = Scanner(Array(text), offset: 0, lenient: true)
        var words: [CommandWord] = []
        while let word = try? scanner.next() { words.append(word) }
        return words
    }

    /// `word` as a shell (and this console) reads it back as one word: as it is when it is plain,
    /// else in single quotes (a quote inside as `'\''`).
    static func quoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=@%+,".contains($0) }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    private struct Scanner {
        let characters: [Character]
        let offset: Int
        /// A quote left open closes at the end of the text (recorded in `openQuote`).
        let lenient: Bool
        var index = 0
        var openQuote: Int?

        init(_ characters: [Character], offset: Int, lenient: Bool = false) {
            self.characters = characters
            self.offset = offset
            self.lenient = lenient
        }

        static func isBlank(_ c: Character) -> Bool { c == " " || c == "\t" }

        mutating func next() throws(ConsoleError) -> CommandWord? {
            while index < characters.count, Self.isBlank(characters[index]) { index += 1 }
            guard index < characters.count else { return nil }
            let start = index
            var text = ""
            var quoted = false
            openQuote = nil
            while index < characters.count, !Self.isBlank(characters[index]) {
                let c = characters[index]
                switch c {
                case "'":
                    quoted = true
                    guard let close = characters[(index + 1)...].firstIndex(of: "'") else {
                        guard lenient else { throw unclosed("single quote (')", at: index) }
                        openQuote = index
                        text += String(characters[(index + 1)...])
                        index = characters.count
                        break
                    }
                    text += String(characters[(index + 1)..<close])
                    index = close + 1
                case "\"":
                    quoted = true
                    try doubleQuoted(into: &text)
                case "\\" where index + 1 < characters.count:
                    quoted = true
                    text.append(characters[index + 1])
                    index += 2
                default:
                    text.append(c)
                    index += 1
                }
            }
            return CommandWord(text: text, start: start, end: index, quoted: quoted, openQuote: openQuote)
        }

        /// From an opening `"` to its closing one.
        mutating func doubleQuoted(into text: inout String) throws(ConsoleError) {
            let opening = index
            index += 1
            while index < characters.count {
                let c = characters[index]
                if c == "\"" {
                    index += 1
                    return
                }
                if c == "\\", index + 1 < characters.count, "\"\\$`".contains(characters[index + 1]) {
                    text.append(characters[index + 1])
                    index += 2
                } else {
                    text.append(c)
                    index += 1
                }
            }
            guard lenient else { throw unclosed("double quote (\")", at: opening) }
            openQuote = opening
        }

        func unclosed(_ what: String, at position: Int) -> ConsoleError {
            ConsoleError("unclosed \(what) at column \(offset + position + 1): close it, or escape it with a backslash")
        }
    }
}
