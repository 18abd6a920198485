import Foundation
import SystemPackage

/// Tab completion: what the word under the cursor can become, given what is typed before it.
public enum Completion {
    /// The word under the cursor and what it can become, for `line` (the text before the cursor).
    /// Words are read as the console reads a command (quotes and backslashes), so a file name with a
    /// blank completes as one word.
    public static func edit(for line: String, words: CompletionWords) -> CompletionEdit {
        let typed = CommandWords.typing(line)
        let characters = Array(line)
        // After a blank that ends a word, the word under the cursor is a new, empty one.
        let current = typed.last.flatMap { $0.end == characters.count ? $0 : nil }
        let before = (current == nil ? typed : typed.dropLast()).map(\.text)
        let word = current.map { word in
            TypedWord(raw: String(characters[word.start..<word.end]), text: word.text, openQuote: word.openQuote.map { $0 - word.start })
        } ?? TypedWord(raw: "", text: "", openQuote: nil)
        return CompletionEdit(word: word, candidates: candidates(for: word.text, after: before, words: words))
    }

    /// Candidates for the word `current` (unquoted) after the words `parts`.
    static func candidates(for current: String, after parts: [String], words: CompletionWords) -> [String] {
        if parts.isEmpty {
            var names = CommandTable.names
            if words.stepping { names += StepCommand.verbs }
            return names.filter { $0.hasPrefix(current) }.sorted()
        }
        // `@FILE` wherever a value goes, also as `PATH=@FILE`.
        if current.hasPrefix("@") { return paths(String(current.dropFirst())).map { "@" + $0 } }
        if let at = current.range(of: "=@") { return paths(String(current[at.upperBound...])).map { String(current[..<at.upperBound]) + $0 } }
        let name = ConsoleState.verbAliases[parts[0]] ?? parts[0]
        if name == "set" { return filter(words.valuePointers.map { $0 + "=" }, current) }
        guard let command = CommandTable.find(name) else { return [] }
        // Options (`--changed`) do not count as positions.
        let options = command.name == "trace" ? TraceCommand.options : command.name == "again" ? TraceCommand.options : []
        if current.hasPrefix("-") && !options.isEmpty { return filter(options, current) }
        let arguments = Array(parts.dropFirst().filter { !$0.hasPrefix("--") })
        let position = arguments.count
        if command.arguments.last == .assignment { return filter(words.inputPointers.map { $0 + "=" }, current) }
        guard position < command.arguments.count else { return [] }
        let pool: [String]
        switch command.arguments[position] {
        case .command: pool = CommandTable.names
        case .kind: pool = words.kinds
        case .kindHook: pool = words.kindHooks + (command.name == "order" ? words.kinds : [])
        case .plugin: pool = words.plugins
        case .words(let options): pool = options
        case .path: return paths(current)
        case .chainInput:
            let count = arguments.last.flatMap { words.examples[$0] } ?? 0
            pool = count == 0 ? [] : ["example"] + (1...count).map { "example[\($0)]" }
        case .stage: pool = words.stages + (words.stages.isEmpty ? [] : (1...words.stages.count).map(String.init))
        case .breakpoint: pool = words.breakpoints.map(String.init) + ["all"]
        case .pointer: pool = words.tracePointers + ["value"]
        case .assignment: pool = words.inputPointers.map { $0 + "=" }
        case .breakTarget:
            if position == 0 { pool = words.plugins + ["change", "error"] }
            else if arguments[0] == "change" { pool = position == 1 ? words.tracePointers + ["value"] : [] }
            else if arguments[0] != "error" && position == 1 { pool = ["if"] }
            else { pool = [] }
            return filter(pool, current)
        }
        return filter(pool, current)
    }

    static func filter(_ pool: [String], _ current: String) -> [String] {
        Set(pool).filter { $0.hasPrefix(current) }.sorted()
    }

    /// Folders and files starting with `prefix` (folders end in `/`).
    static func paths(_ prefix: String) -> [String] {
        let expanded = FilePath(expandingTilde: prefix)
        let dir = prefix.hasSuffix("/") || prefix.isEmpty ? expanded.string : expanded.removingLastComponent().string
        let stem = prefix.hasSuffix("/") ? "" : (FilePath(prefix).lastComponent?.string ?? "")
        let base = prefix.hasSuffix("/") || !prefix.contains("/") ? (prefix.hasSuffix("/") ? prefix : "") : String(prefix[...prefix.lastIndex(of: "/")!])
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
        return entries.filter { $0.hasPrefix(stem) && (!$0.hasPrefix(".") || stem.hasPrefix(".")) }.sorted().map { name in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: (dir.isEmpty ? "." : dir) + "/" + name, isDirectory: &isDirectory)
            return base + name + (isDirectory.boolValue ? "/" : "")
        }
    }

    /// The longest prefix all candidates share.
    public static func commonPrefix(_ candidates: [String]) -> String {
        guard var prefix = candidates.first else { return "" }
        for candidate in candidates.dropFirst() {
            while !candidate.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }
}

/// The word under the cursor as it was typed.
public struct TypedWord: Sendable, Equatable {
    /// As typed, quotes and backslashes included.
    public var raw: String
    /// As the console reads it.
    public var text: String
    /// Where in `raw` a quote that is still open starts.
    public var openQuote: Int?
}

/// What Tab can do to the word under the cursor.
public struct CompletionEdit: Sendable, Equatable {
    public var word: TypedWord
    /// What the word can become, as the console reads it (no quoting).
    public var candidates: [String]

    /// The word as it should read after completing it to `candidate` (which extends `word.text`): what
    /// was typed is kept, the rest is added inside the open quote or with blanks and quotes escaped;
    /// a `whole` word closes its quote.
    public func typing(_ candidate: String, whole: Bool) -> String {
        if let open = word.openQuote {
            let raw = Array(word.raw)
            let quote = raw[open]
            let typedBefore = String(raw[..<open])
            let textBefore = CommandWords.typing(typedBefore).first?.text ?? ""
            let added = String(candidate.dropFirst(textBefore.count))
            let inside = quote == "'"
                ? added.replacingOccurrences(of: "'", with: #"'\''"#)
                : added.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return typedBefore + String(quote) + inside + (whole ? String(quote) : "")
        }
        let added = candidate.dropFirst(word.text.count)
        return word.raw + added.map { " \t'\"\\".contains($0) ? "\\" + String($0) : String($0) }.joined()
    }
}

/// The names Tab completes from, captured after each command.
public struct CompletionWords: Sendable {
    public var kinds: [String]
    public var kindHooks: [String]
    public var plugins: [String]
    public var stepping: Bool
    /// How many examples each `kind.hook`'s hookspec has.
    public var examples: [String: Int] = [:]
    /// The stages of the walk in progress (or the last one), for `goto`.
    public var stages: [String] = []
    public var breakpoints: [Int] = []
    /// Paths into the last trace's input and output (`blame`, `break change`).
    public var tracePointers: [String] = []
    /// Paths into the last trace's input (`again PATH=`).
    public var inputPointers: [String] = []
    /// Paths into the value the next stage of the walk gets (`set PATH=`).
    public var valuePointers: [String] = []

    public init(kinds: [String], kindHooks: [String], plugins: [String], stepping: Bool) {
        self.kinds = kinds
        self.kindHooks = kindHooks
        self.plugins = plugins
        self.stepping = stepping
    }
}
