import Foundation
import Inspector
import PluginSystem

/// `timing KIND.HOOK JSON [-n N]`: run a chain N times; per-stage p50/p90/p99 and share of the total.
enum TimingCommand {
    static let usage = "timing KIND.HOOK JSON|example[N]|@FILE [-n N]"
    static let defaultRuns = 100
    static let maxRuns = 100_000

    static let spec = CommandSpec(
        name: "timing", usage: usage, summary: "run a chain N times: per-stage p50/p90/p99 and share of the total",
        help: """
            Runs the chain KIND.HOOK on JSON N times (-n N, default \(defaultRuns), at most \(maxRuns)) and
            prints, for every stage and every middleware plugin around the stages, the p50, p90 and p99 of
            its time and its share of the total; then the rest (dispatch, round trips, tracing) and the whole
            run. Stages are timed as `trace` times them. Breakpoints do not stop it; Ctrl-C stops it and
            prints what was measured; a run that raises ends it.
            """,
        arguments: [.kindHook, .chainInput],
        run: { args, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            let (runs, rest) = try runCount(args)
            let request = try rest.chainRequest(registry: registry, usage: usage, options: [])
            let tracer = ChainTracer(registry: registry, kind: request.kind, hook: request.hook)
            if let error = tracer.planError { throw ConsoleError(error) }
            let report = await ChainTiming.measure(tracer, input: request.input, runs: runs, progress: await console.progress)
            return Output(report: report)
        })

    /// `-n N` before the chain or after the JSON; the arguments without it.
    static func runCount(_ args: CommandArguments) throws(ConsoleError) -> (Int, CommandArguments) {
        var text = args.text
        var offset = args.offset
        var count: String?
        if let match = text.firstMatch(of: /^\s*-n\s+(\S+)/) {
            count = String(match.output.1)
            offset += text.distance(from: text.startIndex, to: match.range.upperBound)
            text = String(text[match.range.upperBound...])
        } else if let match = text.firstMatch(of: /\s-n\s+(\S+)\s*$/) {
            count = String(match.output.1)
            text = String(text[..<match.range.lowerBound])
        }
        var runs = defaultRuns
        if let count {
            guard let n = Int(count), n >= 1, n <= maxRuns else {
                throw args.usageError(usage, "-n takes a whole number of runs from 1 to \(maxRuns), not '\(count)'")
            }
            runs = n
        }
        return (runs, CommandArguments(line: args.line, text: text, offset: offset))
    }

    struct Output: CommandOutput {
        var report: TimingReport

        var succeeded: Bool { report.error == nil }

        func rowJSON(_ row: TimingReport.Row) -> JSONValue {
            var o: JSONObject = [
                "name": .string(row.name), "p50_us": .int(row.p50), "p90_us": .int(row.p90), "p99_us": .int(row.p99),
                "share": .double((report.share(row) * 1000).rounded() / 1000), "samples": .int(row.samples.count),
            ]
            if let position = row.position { o["position"] = .int(position) }
            if row.isMiddleware { o["middleware"] = true }
            return .object(o)
        }

        var json: JSONObject {
            [
                "kind": .string(report.kind), "hook": .string(report.hook), "runs": .int(report.runs), "requested": .int(report.requested),
                "interrupted": .bool(report.interrupted), "stages": .array(report.rows.map(rowJSON)), "rest": rowJSON(report.rest),
                "total": rowJSON(report.total), "output": report.output ?? .null, "error": report.error.map(ErrorJSON.json) ?? .null,
            ]
        }

        func text(_ style: TextStyle) -> String {
            var lines = [style.bold("timing \(report.kind).\(report.hook)") + style.dim("  \(report.runs) run\(report.runs == 1 ? "" : "s")")
                + (report.interrupted ? style.yellow("  (interrupted: \(report.runs) of \(report.requested))") : "")]
            let width = max(16, (report.rows.map { $0.name.count + ($0.isMiddleware ? 5 : 0) }.max() ?? 0) + 2)
            lines.append("     " + pad("", width) + style.dim(pad("p50", 11) + pad("p90", 11) + pad("p99", 11) + "share"))
            func line(_ label: String, _ row: TimingReport.Row) -> String {
                "  " + pad(label, 3) + pad(row.isMiddleware ? "\(row.name) (mw)" : row.name, width)
                    + pad(TraceText.duration(row.p50), 11) + pad(TraceText.duration(row.p90), 11) + pad(TraceText.duration(row.p99), 11)
                    + String(format: "%5.1f%%", report.share(row) * 100)
            }
            for row in report.rows { lines.append(line(row.position.map(String.init) ?? "", row)) }
            lines.append(style.dim(line("", report.rest)))
            lines.append(style.bold(line("", report.total)))
            if let error = report.error { lines.append(style.red("run \(report.runs) raised") + ": " + error.description) }
            return lines.joined(separator: "\n")
        }
    }
}
