import PluginSystem

/// The text after a command's name, with the helpers commands use to read it. Column numbers in
/// errors count from the start of the typed line.
struct CommandArguments: Sendable {
    /// The whole typed line, echoed under JSON errors.
    let line: String
    let text: String
    /// Where `text` starts in the typed line (0-based).
    let offset: Int

    var isEmpty: Bool { text.trimmingCharacters(in: .whitespaces).isEmpty }

    /// The first word (unquoted, as a shell reads it) and the raw text after it.
    func split() throws(ConsoleError) -> (first: String, rest: CommandArguments) {
        guard let word = try CommandWords.first(text, offset: offset) else {
            return ("", CommandArguments(line: line, text: "", offset: offset + text.count))
        }
        return (word.text, CommandArguments(line: line, text: String(text.dropFirst(word.end)), offset: offset + word.end))
    }

    /// Every word, unquoted: `record ""` gives one empty word, `record` none.
    func words() throws(ConsoleError) -> [String] { try CommandWords.split(text, offset: offset).map(\.text) }

    func usageError(_ usage: String, _ problem: String) -> ConsoleError {
        ConsoleError("\(problem)\nusage: \(usage)")
    }

    /// `KIND.HOOK`, checked against what is loaded: an unknown kind or hook names the known ones.
    func kindHook(_ word: String, registry: PluginRegistry, usage: String) throws(ConsoleError) -> (kind: String, hook: String) {
        guard let dot = word.lastIndex(of: "."), dot != word.startIndex, word.index(after: dot) != word.endIndex else {
            throw usageError(usage, word.isEmpty ? "missing KIND.HOOK" : "'\(word)' is not KIND.HOOK")
        }
        let kind = String(word[..<dot]), hook = String(word[word.index(after: dot)...])
        let kinds = try knownKind(kind, registry: registry)
        let known = kinds.hooks(of: kind)
        if known.contains(where: { $0.name == hook && $0.wrapper }) {
            throw ConsoleError("'\(kind).\(hook)' is a middleware wrapper: it runs around the hooks its chain_wrap covers and is not dispatched itself")
        }
        let hooks = known.map(\.name)
        guard hooks.contains(hook) else {
            guard !hooks.isEmpty else {
                // No hookspec and no plugin that could say what it implements: say why.
                let why = registry.ordered(kind: kind).map { "'\($0.name)' is \($0.state.name)\($0.state.reason.map { ": \($0)" } ?? "")" }
                throw ConsoleError("kind '\(kind)' has no known hooks (it has no hookspec, and none of its plugins is loaded to tell): \(why.joined(separator: "; "))")
            }
            throw ConsoleError("kind '\(kind)' has no hook '\(hook)'; its hooks: \(hooks.joined(separator: ", "))")
        }
        return (kind, hook)
    }

    /// `kind` checked against what is loaded: an unknown one names the nearest and the known ones.
    @discardableResult
    func knownKind(_ kind: String, registry: PluginRegistry) throws(ConsoleError) -> KindCatalog {
        let kinds = KindCatalog(registry)
        guard kinds.kinds.contains(kind) else {
            let near = Levenshtein.nearest(kind, in: kinds.kinds)
            throw ConsoleError("unknown kind '\(kind)'" + (near.isEmpty ? "" : "; did you mean \(near.map { "'\($0)'" }.joined(separator: ", "))?")
                               + "\nknown kinds: \(kinds.kinds.joined(separator: ", "))")
        }
        return kinds
    }

    /// The rest of the line as one JSON value; a mistake says where, with a caret under it. The value
    /// may be typed as it is (`{"text": "two words"}`) or quoted as one shell word (`'{"text": "a b"}'`):
    /// text that is not JSON as typed but is one quoted word is read unquoted.
    func json(required: Bool = true, usage: String) throws(ConsoleError) -> JSONValue? {
        let body = text.trimmingCharacters(in: .whitespaces)
        guard !body.isEmpty else {
            if required { throw usageError(usage, "missing JSON value") }
            return nil
        }
        // `@FILE`: the file's JSON, wherever a JSON value goes.
        if let file = try fileReference() { return try Self.readJSON(file: file) }
        // A value for a plugin: only what could also come back in its answer (JSONLimits).
        let typed: JSONParseError
        do { return try JSONValue.parse(text, maxDepth: JSONLimits.maxDepth) } catch { typed = error }
        if let words = try? CommandWords.split(text, offset: offset), words.count == 1, words[0].quoted {
            do { return try JSONValue.parse(words[0].text, maxDepth: JSONLimits.maxDepth) } catch {
                throw ConsoleError("bad JSON in the quoted value at character \(error.column) of it: \(error.message)\n  \(line)")
            }
        }
        let column = offset + typed.column
        let caret = String(repeating: " ", count: max(0, column - 1)) + "^"
        throw ConsoleError("bad JSON at column \(column): \(typed.message)\n  \(line)\n  \(caret)")
    }

    /// `KIND.HOOK JSON`, as `trace` and `step` take them (the input may also be `@FILE` or one of the
    /// hookspec's `example[N]`).
    func chainRequest(registry: PluginRegistry, usage: String) throws(ConsoleError) -> (kind: String, hook: String, input: JSONValue) {
        let request = try chainRequest(registry: registry, usage: usage, options: [])
        return (request.kind, request.hook, request.input)
    }

    /// A registered plugin's name; an unknown one names the nearest.
    func plugin(_ name: String, registry: PluginRegistry, usage: String) throws(ConsoleError) -> PluginRecord {
        guard !name.isEmpty else { throw usageError(usage, "missing PLUGIN") }
        guard let record = registry.record(named: name) else {
            let known = registry.records.map(\.name)
            let near = Levenshtein.nearest(name, in: known)
            throw ConsoleError("unknown plugin '\(name)'" + (near.isEmpty ? "" : "; did you mean \(near.map { "'\($0)'" }.joined(separator: ", "))?")
                               + "\nplugins: \(known.joined(separator: ", "))")
        }
        return record
    }
}

import Foundation
