import PluginSystem
import Synchronization

/// Walks a chain one stage at a time: run the next stage, skip it, replace the value before it,
/// or stop. What has run so far is always available as a `TraceResult`.
public final class ChainStepper: Sendable {
    public let tracer: ChainTracer

    private struct State {
        var index = 0
        var value: JSONValue
        var result: TraceResult
        var finished = false
    }

    private let state: Mutex<State>

    public init(tracer: ChainTracer, input: JSONValue) {
        self.tracer = tracer
        let error = tracer.planError ?? tracer.inputViolation(input)
        let result = TraceResult(
            kind: tracer.kind, hook: tracer.hook, input: input, output: nil, stoppedBy: nil, error: error, stages: [])
        state = Mutex(State(value: input, result: result))
        // Input that breaks the input schema: no stage runs.
        if error != nil { state.withLock { finish(&$0) } }
    }

    public var result: TraceResult { state.withLock { $0.result } }
    public var isFinished: Bool { state.withLock { $0.finished } }
    /// The value the next stage will receive.
    public var currentValue: JSONValue { state.withLock { $0.value } }

    /// The next stage that will run (skipping the ones that cannot), with its position (1-based)
    /// among all stages, or nil when the chain is over.
    public var upcoming: (record: PluginRecord, position: Int, total: Int)? {
        state.withLock { s in
            guard !s.finished else { return nil }
            var i = s.index
            while i < tracer.stages.count && !tracer.stages[i].runnable { i += 1 }
            guard i < tracer.stages.count else { return nil }
            return (tracer.stages[i].record, i + 1, tracer.stages.count)
        }
    }

    /// Records the stages that cannot run up to the next runnable one; returns its index.
    private func advanceToRunnable() -> Int? {
        state.withLock { s in
            while s.index < tracer.stages.count && !tracer.stages[s.index].runnable {
                s.result.stages.append(tracer.idle(tracer.stages[s.index].record, before: nil))
                s.index += 1
            }
            if s.index >= tracer.stages.count { finish(&s); return nil }
            return s.index
        }
    }

    /// Runs the next runnable stage; returns its trace, or nil when the chain is over.
    @discardableResult
    public func next() async -> StageTrace? {
        guard !isFinished, let index = advanceToRunnable() else {
            state.withLock { s in if !s.finished { finish(&s) } }
            return nil
        }
        let stage = await tracer.run(tracer.stages[index].record, value: currentValue)
        record([stage])
        return stage
    }

    /// Runs the next stages in one batch when their host can (see `ChainBatchingPlugin`), else the
    /// next stage alone; returns what ran, or nil when the chain is over.
    @discardableResult
    public func nextBatch() async -> [StageTrace]? {
        guard !isFinished, let index = advanceToRunnable() else {
            state.withLock { s in if !s.finished { finish(&s) } }
            return nil
        }
        let runnable = tracer.stages[index...].prefix { $0.runnable }.map(\.record)
        let value = currentValue
        guard let plan = tracer.plan,
            let batch = await ChainDispatcher(tracer.registry).runBatch(runnable[...], in: plan, value: value, named: tracer.named, metadata: tracer.metadata)
        else {
            return await next().map { [$0] }
        }
        var input = value
        var stages: [StageTrace] = []
        for (record, result, duration) in batch {
            let stage = tracer.stage(record, before: input, result: result, duration: duration)
            stages.append(stage)
            if let after = stage.after { input = after }
        }
        record(stages)
        return stages
    }

    /// Records stages that ran, in order: STOP_CHAIN or an error ends the chain, otherwise the value
    /// passes on to the next stage.
    private func record(_ stages: [StageTrace]) {
        state.withLock { s in
            for stage in stages {
                s.result.stages.append(stage)
                s.index += 1
                switch stage.status {
                case .stopped:
                    s.result.stoppedBy = stage.plugin
                    finish(&s)
                case .error:
                    s.result.error = stage.error
                    finish(&s)
                default:
                    if let after = stage.after { s.value = after }
                }
                if s.finished { return }
            }
        }
    }

    /// Skips the next runnable stage: the value passes on unchanged.
    @discardableResult
    public func skip() -> StageTrace? {
        guard let index = advanceToRunnable() else { return nil }
        return state.withLock { s in
            let record = tracer.stages[index].record
            let stage = StageTrace(
                plugin: record.name, priority: record.priority, status: .skipped, before: s.value, after: s.value, diff: [],
                durationMicros: nil, logs: [], error: nil, note: "skipped while stepping", middleware: [])
            s.result.stages.append(stage)
            s.index += 1
            return stage
        }
    }

    /// Replaces the value the next stage receives.
    public func set(_ value: JSONValue) { state.withLock { $0.value = value } }

    /// Ends the walk; the stages not run are recorded as such.
    public func abort() { state.withLock { s in if !s.finished { finish(&s) } } }

    private func finish(_ s: inout State) {
        while s.index < tracer.stages.count {
            s.result.stages.append(tracer.idle(tracer.stages[s.index].record, before: nil))
            s.index += 1
        }
        if s.result.error == nil { s.result.output = s.value }
        s.finished = true
    }
}
