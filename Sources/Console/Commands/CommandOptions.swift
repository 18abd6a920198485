import PluginSystem

/// A command's words read as a shell tool's: plain words in order, `--flag`s, and `--option VALUE`s
/// (repeatable). An unknown `--word`, or an option without its value, is an error with the usage.
struct CommandOptions: Sendable {
    var positional: [String] = []
    var flags: Set<String> = []
    var values: [String: [String]] = [:]

    init(_ words: [String], flags known: Set<String>, options: Set<String>, usage: String) throws(ConsoleError) {
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            guard word.hasPrefix("--") else { positional.append(word); continue }
            if known.contains(word) {
                flags.insert(word)
            } else if options.contains(word) {
                guard index < words.count, !words[index].hasPrefix("--") else {
                    throw ConsoleError("\(word) needs a value\nusage: \(usage)")
                }
                values[word, default: []].append(words[index])
                index += 1
            } else {
                let all = (known.union(options)).sorted()
                let near = Levenshtein.nearest(word, in: all)
                throw ConsoleError(
                    "unknown option '\(word)'" + (near.isEmpty ? "" : "; did you mean \(near.map { "'\($0)'" }.joined(separator: ", "))?")
                        + "\nusage: \(usage)")
            }
        }
    }

    func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// Every value given for `option`, in order.
    func all(_ option: String) -> [String] { values[option] ?? [] }

    /// The one value of `option`, if given; given twice is an error.
    func single(_ option: String, usage: String) throws(ConsoleError) -> String? {
        let given = all(option)
        guard given.count <= 1 else { throw ConsoleError("\(option) given \(given.count) times; give it once\nusage: \(usage)") }
        return given.first
    }
}
