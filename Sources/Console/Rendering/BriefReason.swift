/// A failed or unavailable plugin's reason as `order` and `trace` show it on the plugin's line: its
/// first line, cut to a line's width. The whole reason (a path, a traceback) was said at load and
/// `show PLUGIN` has it; repeated in full on every line of every listing it buries the rest.
enum BriefReason {
    static let width = 100

    static func of(_ reason: String, plugin: String) -> String {
        let first = reason.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? reason
        guard first.count > width || first.count < reason.count else { return reason }
        var cut = String(first.prefix(width))
        if first.count > width, let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) > width / 2 {
            cut = String(cut[..<space])
        }
        return cut + "… (`show \(plugin)` has it all)"
    }
}
