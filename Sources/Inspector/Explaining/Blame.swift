import PluginSystem

/// Which stage produced the value at a path: every change to it along a trace, who made it (the
/// plugin, a middleware call around it, or the user's `set` while stepping) with the value before
/// and after, and the change that left the value the output has.
public struct BlameReport: Sendable {
    public struct Change: Sendable {
        /// The stage's place in the chain (1-based).
        public var position: Int
        /// The stage's plugin.
        public var plugin: String
        /// Who changed the value: the plugin, `governance.before`/`.after`, or `set` (the user, before the stage).
        public var by: String
        /// The value at the path before and after (nil: absent).
        public var before: JSONValue?
        public var after: JSONValue?
        /// The stage raised, so its value went no further (it is shown, as the trace shows it).
        public var rejected: Bool = false

        public var byMiddleware: Bool { by != plugin && by != "set" }
    }

    public var path: JSONPointer
    /// The value at the path in the chain's input (nil: absent).
    public var input: JSONValue?
    public var changes: [Change]
    /// The value at the path in the output; nil when it is absent there or the chain has no output.
    public var output: JSONValue?
    /// Whether the chain has an output (it may have raised, or the walk may not have ended yet).
    public var hasOutput: Bool
    /// The change that left the output's value (an index into `changes`); nil when the output holds
    /// the input's value untouched, or there is no output.
    public var producedBy: Int?

    /// Every change to the value at `path` along `trace`.
    public init(path: JSONPointer, trace: TraceResult) {
        self.path = path
        input = path.resolve(in: trace.input)
        var changes: [Change] = []
        var current = trace.input
        for (index, stage) in trace.stages.enumerated() {
            guard let before = stage.before else { continue }
            let position = index + 1
            func note(_ by: String, from a: JSONValue, to b: JSONValue, rejected: Bool = false) {
                let old = path.resolve(in: a), new = path.resolve(in: b)
                if !Self.same(old, new) { changes.append(Change(position: position, plugin: stage.plugin, by: by, before: old, after: new, rejected: rejected)) }
            }
            // A stage given something other than what the previous one handed on: the user's `set`.
            note("set", from: current, to: before)
            current = before
            guard let after = stage.after else { continue }
            let rejected = stage.status == .error
            if let pluginDiff = stage.pluginDiff {
                // Middleware changed the value too: replay the calls in the order they ran.
                var value = before
                for call in stage.middleware where call.hook == "before" && !call.diff.isEmpty {
                    guard let next = JSONDiff.apply(call.diff, to: value) else { break }
                    note("\(call.plugin).before", from: value, to: next, rejected: rejected)
                    value = next
                }
                if let next = JSONDiff.apply(pluginDiff, to: value) {
                    note(stage.plugin, from: value, to: next, rejected: rejected)
                    value = next
                }
                for call in stage.middleware where call.hook == "after" && !call.diff.isEmpty {
                    guard let next = JSONDiff.apply(call.diff, to: value) else { break }
                    note("\(call.plugin).after", from: value, to: next, rejected: rejected)
                    value = next
                }
            } else {
                note(stage.plugin, from: before, to: after, rejected: rejected)
            }
            if stage.status == .changed || stage.status == .unchanged { current = after }
        }
        self.changes = changes
        hasOutput = trace.output != nil
        output = trace.output.flatMap { path.resolve(in: $0) }
        let kept = changes.indices.last { !changes[$0].rejected }
        if hasOutput, let kept, Self.same(changes[kept].after, output) {
            producedBy = kept
        } else {
            producedBy = nil
        }
    }

    /// Equal as JSON values (objects by key, 1 and 1.0 alike); both absent counts as the same.
    static func same(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (let x?, let y?): x.numericallyEquals(y) || JSONDiff.diff(x, y).isEmpty
        default: false
        }
    }
}
