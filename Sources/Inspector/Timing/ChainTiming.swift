import PluginSystem

/// Per-stage times of a chain run many times: p50, p90 and p99 of each stage, of the middleware
/// around the stages, and of the whole run, with each one's share of the total.
public struct TimingReport: Sendable {
    public struct Row: Sendable {
        /// The stage's plugin, or a middleware plugin (its calls around every stage of one run added up).
        public var name: String
        /// The stage's place in the chain (1-based); nil for middleware and for the rest of the run.
        public var position: Int?
        public var isMiddleware: Bool
        /// One time per run, in microseconds (runs where it did not run are left out).
        public var samples: [Int]

        public init(name: String, position: Int?, isMiddleware: Bool, samples: [Int]) {
            self.name = name
            self.position = position
            self.isMiddleware = isMiddleware
            self.samples = samples
        }

        public var p50: Int { TimingReport.percentile(samples, 50) }
        public var p90: Int { TimingReport.percentile(samples, 90) }
        public var p99: Int { TimingReport.percentile(samples, 99) }
    }

    public var kind: String
    public var hook: String
    /// Runs asked for and runs done (fewer when interrupted or when a run raised).
    public var requested: Int
    public var runs: Int
    public var rows: [Row]
    /// The whole run, as the caller waited for it.
    public var total: Row
    /// What is neither a stage nor middleware: dispatch, the host's round trips, tracing.
    public var rest: Row
    /// Ctrl-C stopped the runs early.
    public var interrupted: Bool
    /// The run that raised, which ended the measurement.
    public var error: DagstackError?
    /// The output of the first run (every run gets the same input).
    public var output: JSONValue?

    /// A row's share of the total time, over all runs.
    public func share(_ row: Row) -> Double {
        let all = total.samples.reduce(0, +)
        return all == 0 ? 0 : Double(row.samples.reduce(0, +)) / Double(all)
    }

    /// Nearest-rank percentile (the smallest sample with at least p% of samples at or below it).
    static func percentile(_ samples: [Int], _ p: Int) -> Int {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        let rank = max(1, Int((Double(p) / 100 * Double(sorted.count)).rounded(.up)))
        return sorted[min(rank, sorted.count) - 1]
    }
}

public enum ChainTiming {
    /// Runs the chain `runs` times on `input` (each run traced, so stages are timed as in `trace`),
    /// stopping early when the task is cancelled or a run raises.
    public static func measure(_ tracer: ChainTracer, input: JSONValue, runs: Int, progress: (any TraceProgress)? = nil) async -> TimingReport {
        var stageSamples: [String: [Int]] = [:]
        var middlewareSamples: [String: [Int]] = [:]
        var middlewareOrder: [String] = []
        var totals: [Int] = []
        var rests: [Int] = []
        var error: DagstackError?
        var output: JSONValue?
        var done = 0
        for run in 1...max(1, runs) {
            if Task.isCancelled { break }
            let labelled = progress.map { LabelledProgress(inner: $0, label: "run \(run)/\(runs)") }
            let clock = ContinuousClock()
            let started = clock.now
            let trace = await tracer.trace(input, progress: labelled)
            let total = (clock.now - started).microseconds
            if Task.isCancelled && trace.error?.code == .cancelled { break }
            done += 1
            if run == 1 { output = trace.output }
            var accounted = 0
            var perMiddleware: [String: Int] = [:]
            for stage in trace.stages where stage.ran {
                let own = stage.durationMicros ?? 0
                stageSamples[stage.plugin, default: []].append(own)
                accounted += own
                for call in stage.middleware {
                    if perMiddleware[call.plugin] == nil && !middlewareOrder.contains(call.plugin) { middlewareOrder.append(call.plugin) }
                    perMiddleware[call.plugin, default: 0] += call.durationMicros
                    accounted += call.durationMicros
                }
            }
            for (plugin, micros) in perMiddleware { middlewareSamples[plugin, default: []].append(micros) }
            totals.append(total)
            rests.append(max(0, total - accounted))
            if let failure = trace.error {
                error = failure
                break
            }
        }
        var rows: [TimingReport.Row] = []
        for (index, stage) in tracer.stages.enumerated() {
            guard let samples = stageSamples[stage.record.name] else { continue }
            rows.append(.init(name: stage.record.name, position: index + 1, isMiddleware: false, samples: samples))
        }
        for plugin in middlewareOrder {
            rows.append(.init(name: plugin, position: nil, isMiddleware: true, samples: middlewareSamples[plugin] ?? []))
        }
        return TimingReport(
            kind: tracer.kind, hook: tracer.hook, requested: runs, runs: done, rows: rows,
            total: .init(name: "total", position: nil, isMiddleware: false, samples: totals),
            rest: .init(name: "rest", position: nil, isMiddleware: false, samples: rests),
            interrupted: done < runs && error == nil, error: error, output: output)
    }
}

/// Passes activities on with a label saying where a longer job stands.
struct LabelledProgress: TraceProgress {
    let inner: any TraceProgress
    let label: String

    func started(_ activity: TraceActivity) {
        var labelled = activity
        labelled.label = label
        inner.started(labelled)
    }

    func ended() { inner.ended() }
}
