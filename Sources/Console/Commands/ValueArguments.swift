import Foundation
import Inspector
import PluginSystem
import SystemPackage

/// Values typed as arguments: `@FILE` for a JSON file, a hookspec's `example[N]`, `/path=JSON`
/// edits of a value, and options before or after the JSON (`--changed`).
extension CommandArguments {
    /// A chain request with its options: `trace --changed KIND.HOOK JSON`.
    struct ChainRequest {
        var kind: String
        var hook: String
        var input: JSONValue
        var options: Set<String>
    }

    /// `[OPTIONS] KIND.HOOK [OPTIONS] JSON|example[N]|@FILE`; `options` are the `--words` allowed.
    func chainRequest(registry: PluginRegistry, usage: String, options allowed: [String]) throws(ConsoleError) -> ChainRequest {
        var options: Set<String> = []
        func option(_ word: String) throws(ConsoleError) {
            guard allowed.contains(word) else {
                throw usageError(usage, allowed.isEmpty ? "unexpected option \(word)" : "unknown option \(word); it takes \(allowed.joined(separator: ", "))")
            }
            options.insert(word)
        }
        // Options may come before KIND.HOOK and after it.
        var (word, rest) = try split()
        while word.hasPrefix("--") {
            try option(word)
            (word, rest) = try rest.split()
        }
        while true {
            let (next, after) = try rest.split()
            guard next.hasPrefix("--") else { break }
            try option(next)
            rest = after
        }
        // And after the value, where people type them: no JSON value ends in a bare `--word`.
        while let last = rest.trailingWord(), last.hasPrefix("--") {
            try option(last)
            rest = CommandArguments(line: rest.line, text: String(rest.text.trimmingTrailingBlanks().dropLast(last.count)), offset: rest.offset)
        }
        let (kind, hook) = try kindHook(word, registry: registry, usage: usage)
        let input = try rest.inputValue(kind: kind, hook: hook, registry: registry, usage: usage)!
        return ChainRequest(kind: kind, hook: hook, input: input, options: options)
    }

    /// The last blank-separated word of the text, as typed (nil when there is only one word).
    func trailingWord() -> String? {
        let trimmed = text.trimmingTrailingBlanks()
        guard let blank = trimmed.lastIndex(where: { $0 == " " || $0 == "\t" }) else { return nil }
        return String(trimmed[trimmed.index(after: blank)...])
    }

    /// A hook's input: JSON, `@FILE`, or `example` / `example[N]` (1-based) from its hookspec.
    func inputValue(kind: String, hook: String, registry: PluginRegistry, usage: String, required: Bool = true) throws(ConsoleError) -> JSONValue? {
        let body = text.trimmingCharacters(in: .whitespaces)
        if body == "example" || (body.hasPrefix("example[") && body.hasSuffix("]")) {
            let spec = registry.kinds.spec(for: kind)
            let examples = spec?.hooks[hook]?.examples ?? []
            guard !examples.isEmpty else {
                throw ConsoleError("\(kind).\(hook) has no examples" + (spec.map { " in its hookspec (\($0.source))" } ?? " (it has no hookspec)") + "; type the JSON instead")
            }
            let number = body == "example" ? 1 : Int(body.dropFirst(8).dropLast())
            guard let number, number >= 1, number <= examples.count else {
                throw ConsoleError("\(body): \(kind).\(hook) has \(examples.count) example\(examples.count == 1 ? "" : "s") (example[1]\(examples.count > 1 ? " … example[\(examples.count)]" : ""))")
            }
            return examples[number - 1]
        }
        return try json(required: required, usage: usage)
    }

    /// The file named by `@FILE` when the argument is exactly that (quoted or not), else nil.
    func fileReference() throws(ConsoleError) -> String? {
        guard text.trimmingCharacters(in: .whitespaces).hasPrefix("@") || text.contains("'@") || text.contains("\"@") else { return nil }
        let words = try CommandWords.split(text, offset: offset)
        guard words.count == 1, words[0].text.hasPrefix("@") else { return nil }
        let path = String(words[0].text.dropFirst())
        guard !path.isEmpty else { throw ConsoleError("@ needs a file name: @query.json") }
        return path
    }

    /// The JSON in `file`, with the same limits as a typed value; a mistake names the file and where.
    static func readJSON(file: String) throws(ConsoleError) -> JSONValue {
        let path = FilePath(expandingTilde: file).string
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ConsoleError("@\(file): no such file") }
        guard !isDirectory.boolValue else { throw ConsoleError("@\(file) is a folder, not a JSON file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ConsoleError("@\(file) cannot be read") }
        do {
            return try JSONValue.parse(bytes: Array(data), maxDepth: JSONLimits.maxDepth)
        } catch {
            throw ConsoleError("@\(file): bad JSON at line \(error.line), column \(error.column): \(error.message)")
        }
    }

    /// `set`'s argument: a whole value (JSON, `@FILE`), or `/path=JSON …` edits of `current`.
    func valueEdit(_ current: JSONValue, usage: String) throws(ConsoleError) -> JSONValue {
        if text.trimmingCharacters(in: .whitespaces).hasPrefix("/") || text.trimmingCharacters(in: .whitespaces).hasPrefix("=") {
            return try assignments(to: current, usage: usage)
        }
        return try json(usage: usage)!
    }

    /// `PATH=JSON …` (a JSON Pointer, `=`, a JSON value or `@FILE`), each applied in turn to `base`;
    /// an empty PATH (`=JSON`) replaces the whole value. The JSON is read as typed, spaces and all.
    func assignments(to base: JSONValue, usage: String) throws(ConsoleError) -> JSONValue {
        let chars = Array(text)
        var value = base
        var i = 0
        var any = false
        func column(_ at: Int) -> Int { offset + at + 1 }
        while true {
            while i < chars.count, chars[i].isWhitespace { i += 1 }
            guard i < chars.count else { break }
            let pathStart = i
            while i < chars.count, chars[i] != "=", !chars[i].isWhitespace { i += 1 }
            guard i < chars.count, chars[i] == "=" else {
                throw usageError(usage, "expected PATH=JSON at column \(column(pathStart)), found '\(String(chars[pathStart..<i]))'")
            }
            let pathText = String(chars[pathStart..<i])
            let pointer: JSONPointer
            do { pointer = try JSONPointer(parsing: pathText) } catch {
                throw ConsoleError("bad PATH at column \(column(pathStart + error.offset)): \(error.message)\n  \(line)\n  \(String(repeating: " ", count: column(pathStart + error.offset) - 1))^")
            }
            i += 1
            guard i < chars.count, !chars[i].isWhitespace else {
                throw usageError(usage, "\(pathText)= needs a JSON value after it (column \(column(i)))")
            }
            let valueStart = i
            let new: JSONValue
            if chars[i] == "@" {
                // A file name is one shell word: `@'my input.json'` as in a terminal.
                let rest = String(chars[valueStart...])
                let word = try CommandWords.first(rest, offset: offset + valueStart)!
                i = valueStart + word.end
                let file = String(word.text.dropFirst())
                guard !file.isEmpty else { throw ConsoleError("@ needs a file name: \(pathText)=@query.json") }
                new = try Self.readJSON(file: file)
            } else {
                do { i = try JSONExtent.end(of: chars, from: valueStart) } catch {
                    throw ConsoleError("unclosed \(error.what) at column \(column(error.offset))\n  \(line)\n  \(String(repeating: " ", count: column(error.offset) - 1))^")
                }
                let piece = CommandArguments(line: line, text: String(chars[valueStart..<i]), offset: offset + valueStart)
                new = try piece.json(usage: usage)!
            }
            do { value = try pointer.setting(new, in: value) } catch { throw ConsoleError("cannot set \(pathText): \(error.message)") }
            any = true
        }
        guard any else { throw usageError(usage, "missing PATH=JSON") }
        return value
    }
}

extension String {
    func trimmingTrailingBlanks() -> String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
