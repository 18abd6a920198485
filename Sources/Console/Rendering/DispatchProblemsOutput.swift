import PluginSystem

/// Hooks that cannot be dispatched as the plugins stand (a singleton tie, two capability
/// fallbacks), the same in every command that lists plugins: found at load, not at the first call.
enum DispatchProblemsOutput {
    /// The problems of the registry now, hooks of kinds without a hookspec judged by the class the
    /// console infers for them; only those of `kind` when given.
    static func find(_ registry: PluginRegistry, kind: String? = nil) -> [DispatchProblem] {
        let catalog = KindCatalog(registry)
        let inferred = catalog.kinds.flatMap { k in catalog.hooks(of: k).filter { !$0.fromSpec && !$0.wrapper }.map { (k, $0.name, $0.dispatch) } }
        return registry.dispatchProblems(inferred: inferred).filter { kind == nil || $0.kind == kind }
    }

    /// `dispatch_problems` in a command's JSON, only when there are some: results recorded before
    /// the field existed still replay as the same.
    static func add(_ problems: [DispatchProblem], to object: inout JSONObject) {
        guard !problems.isEmpty else { return }
        object["dispatch_problems"] = .array(problems.map { ["kind": .string($0.kind), "hook": .string($0.hook), "error": ErrorJSON.json($0.error)] })
    }

    static func lines(_ problems: [DispatchProblem], _ style: TextStyle) -> [String] {
        problems.map { "  " + style.red("problem") + " \($0.kind).\($0.hook) — " + style.red($0.error.code.rawValue) + ": " + $0.error.message }
    }
}
