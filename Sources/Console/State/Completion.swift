import Foundation
import SystemPackage

/// Tab completion: what the word under the cursor can become, given what is typed before it.
public enum Completion {
    /// Candidates for the last word of `line` (the text before the cursor).
    public static func candidates(for line: String, words: CompletionWords) -> [String] {
        let endsWithSpace = line.last == " "
        var parts = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let current = endsWithSpace ? "" : (parts.popLast() ?? "")
        if parts.isEmpty {
            var names = CommandTable.names
            if words.stepping { names += StepCommand.verbs }
            return names.filter { $0.hasPrefix(current) }.sorted()
        }
        guard let command = CommandTable.find(parts[0]) else { return [] }
        let position = parts.count - 1
        guard position < command.arguments.count else { return [] }
        let pool: [String]
        switch command.arguments[position] {
        case .command: pool = CommandTable.names
        case .kind: pool = words.kinds
        case .kindHook: pool = words.kindHooks + (command.name == "order" ? words.kinds : [])
        case .plugin: pool = words.plugins
        case .words(let options): pool = options
        case .path: return paths(current)
        }
        return Set(pool).filter { $0.hasPrefix(current) }.sorted()
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
