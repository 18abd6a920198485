import Inspector

/// Multi-line JSON: a line of a command that takes JSON whose `{` or `[` are still open goes on
/// with the next line (read with a continuation prompt), as a Python or Node prompt does.
enum ContinuedLines {
    /// The prompt for the lines after the first.
    static let prompt = "...> "

    /// Commands whose arguments hold JSON (a condition's regex may hold an unbalanced `[`: `break`
    /// is not one of them).
    static let takingJSON: Set<String> = ["trace", "step", "call", "set", "again", "timing", "resource", "config"]

    /// Whether `text` (the lines so far, joined) needs another line.
    static func needsMore(_ text: String) -> Bool {
        let first = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
        guard takingJSON.contains(first) else { return false }
        return JSONExtent.openBrackets(text) > 0
    }
}
