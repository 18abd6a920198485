import PluginSystem

/// What changed between two runs of the same trace (after a reload, or against a recording):
/// stage by stage, the first stage whose output differs, and the final output.
public struct TraceDelta: Sendable {
    public struct StageChange: Sendable {
        public var plugin: String
        public var before: StageStatus?
        public var after: StageStatus?
        /// How this stage's output changed (recorded/old → new).
        public var outputDiff: [PatchOperation]
    }

    public var stages: [StageChange]
    public var outputDiff: [PatchOperation]
    public var errorBefore: String?
    public var errorAfter: String?

    public var isSame: Bool { stages.isEmpty && outputDiff.isEmpty && errorBefore == errorAfter }

    /// The first stage that differs, in chain order.
    public var firstDivergence: StageChange? { stages.first }

    /// Compares two traces by plugin; durations and other run-dependent fields are not compared.
    /// The stages are in the new run's order, with a stage the new run no longer has where it ran
    /// in the old one: its absence changes the stages after it, and read top-down the cause comes first.
    public init(old: TraceResult, new: TraceResult) {
        var changes: [StageChange] = []
        let oldByPlugin = Dictionary(old.stages.map { ($0.plugin, $0) }, uniquingKeysWith: { a, _ in a })
        let inNew = Set(new.stages.map(\.plugin))
        var oldStages = old.stages[...]
        func gone(upTo plugin: String?) {
            while let next = oldStages.first, next.plugin != plugin {
                oldStages.removeFirst()
                if !inNew.contains(next.plugin) {
                    changes.append(StageChange(plugin: next.plugin, before: next.status, after: nil, outputDiff: []))
                }
            }
            if !oldStages.isEmpty { oldStages.removeFirst() }
        }
        for stage in new.stages {
            if oldByPlugin[stage.plugin] != nil { gone(upTo: stage.plugin) }
            let previous = oldByPlugin[stage.plugin]
            let diff = JSONDiff.diff(previous?.after ?? .null, stage.after ?? .null)
            if previous?.status != stage.status || !diff.isEmpty {
                changes.append(StageChange(plugin: stage.plugin, before: previous?.status, after: stage.status, outputDiff: diff))
            }
        }
        gone(upTo: nil)
        stages = changes
        outputDiff = JSONDiff.diff(old.output ?? .null, new.output ?? .null)
        errorBefore = old.error?.description
        errorAfter = new.error?.description
    }
}
