import PluginSystem

/// What a plugin wrote outside its calls (set-up, between calls, teardown), for `show`, the load
/// summary and `--json`.
enum PhaseOutputText {
    /// How many lines of one plugin's output a load summary shows before folding the rest.
    static let folded = 3

    static func json(_ output: [PhaseOutput]) -> JSONValue {
        .array(output.map { ["phase": .string($0.phase.rawValue), "logs": .array($0.logs.map(LogJSON.json))] })
    }

    /// Every line, under a heading per phase.
    static func lines(_ output: [PhaseOutput], _ style: TextStyle, indent: String) -> [String] {
        output.flatMap { part in
            [indent + style.dim("\(heading(part.phase)):")] + part.logs.map { indent + "  " + LogJSON.text($0, style) }
        }
    }

    /// The first lines of `logs` under `title`, and how many more there are and where to see them.
    static func foldedLines(_ title: String, _ logs: [PluginLog], more: String, _ style: TextStyle, indent: String) -> [String] {
        guard !logs.isEmpty else { return [] }
        var lines = [indent + title]
        lines += logs.prefix(folded).map { indent + "  " + LogJSON.text($0, style) }
        if logs.count > folded { lines.append(indent + "  " + style.dim("… \(logs.count - folded) more line\(logs.count - folded == 1 ? "" : "s"): \(more)")) }
        return lines
    }

    static func heading(_ phase: PluginPhase) -> String {
        switch phase {
        case .setup: "set-up output"
        case .idle: "written between calls"
        case .teardown: "teardown output"
        }
    }
}
