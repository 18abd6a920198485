/// Order by `depends_on`: Kahn's algorithm where the ready queue is re-ranked globally by (priority
/// desc, name asc) each time new plugins become ready — the reference's exact order. For set-up,
/// `byRuntime` ranks by runtime first: in_process plugins before mcp_stdio before mcp_http, within
/// what `depends_on` allows (ADR-0002's set-up order; the reference ignores runtimes). Dependencies
/// on unknown names are ignored here; the registry marks such plugins unavailable.
public enum TopologicalOrder {
    public static func sort(_ manifests: [PluginManifest], byRuntime: Bool = false) throws(DagstackError) -> [PluginManifest] {
        try sort(manifests, byRuntime: byRuntime, priority: { $0.priority })
    }

    public static func sort(
        _ manifests: [PluginManifest], byRuntime: Bool = false, priority: (PluginManifest) -> Int
    ) throws(DagstackError) -> [PluginManifest] {
        var byName: [String: PluginManifest] = [:]
        for m in manifests { byName[m.name] = m }
        var dependents: [String: Set<String>] = [:]
        var indegree: [String: Int] = [:]
        for m in manifests { indegree[m.name] = 0 }
        for m in manifests {
            for dep in m.dependsOn where byName[dep] != nil {
                guard dependents[dep, default: []].insert(m.name).inserted else { continue }
                indegree[m.name, default: 0] += 1
            }
        }
        func ranksBefore(_ a: String, _ b: String) -> Bool {
            let (ma, mb) = (byName[a]!, byName[b]!)
            if byRuntime && ma.runtime != mb.runtime { return ma.runtime.setupRank < mb.runtime.setupRank }
            let (pa, pb) = (priority(ma), priority(mb))
            return pa != pb ? pa > pb : a.utf8.lexicographicallyPrecedes(b.utf8)
        }
        var ready = manifests.map(\.name).filter { indegree[$0] == 0 }.sorted(by: ranksBefore)
        var ordered: [PluginManifest] = []
        while !ready.isEmpty {
            let name = ready.removeFirst()
            ordered.append(byName[name]!)
            var newlyReady: [String] = []
            for dependent in dependents[name, default: []] {
                indegree[dependent]! -= 1
                if indegree[dependent] == 0 { newlyReady.append(dependent) }
            }
            if !newlyReady.isEmpty { ready = (ready + newlyReady).sorted(by: ranksBefore) }
        }
        guard ordered.count == manifests.count else {
            let stuck = manifests.map(\.name).filter { indegree[$0]! > 0 }
            let names = stuck.sorted().map { "'\($0)'" }.joined(separator: ", ")
            throw DagstackError(
                .dependencyCycle,
                "Dependency cycle detected among plugins [\(names)]: \(cyclePath(stuck, byName: byName))")
        }
        return ordered
    }

    /// One cycle as `a -> b -> a`, found by a depth-first walk over `depends_on` among the stuck plugins.
    static func cyclePath(_ stuck: [String], byName: [String: PluginManifest]) -> String {
        let candidates = Set(stuck)
        for start in stuck.sorted() {
            var stack: [(String, [String])] = [(start, [start])]
            var visited: Set<String> = []
            while let (node, path) = stack.popLast() {
                guard visited.insert(node).inserted else { continue }
                for dep in byName[node]!.dependsOn where candidates.contains(dep) {
                    if let index = path.firstIndex(of: dep) {
                        return (path[index...] + [dep]).joined(separator: " -> ")
                    }
                    stack.append((dep, path + [dep]))
                }
            }
        }
        return stuck.sorted().joined(separator: " + ")
    }
}
