import Foundation
import Testing
@testable import PluginSystem

@Suite struct DiscoveryTests {
    @Test func walksSortedAppliesTheLeafRuleAndReturnsTopologicalOrder() throws {
        let dir = TempDir()
        dir.plugin("b-second", name: "second", priority: 5)
        dir.plugin("a-first", name: "first", priority: 1, extra: "depends_on = [\"second\"]")
        dir.plugin("group/inner", name: "inner", priority: 50)
        // The leaf rule: nothing below a plugin folder is walked.
        dir.plugin("group/inner/nested", name: "nested")
        dir.write("group/inner/nested/extra.txt", "x")
        let result = try Discovery.discover(dir.path)
        #expect(result.plugins.map(\.manifest.name) == ["inner", "second", "first"])
        #expect(result.plugins.map { URL(fileURLWithPath: $0.folder).lastPathComponent } == ["inner", "b-second", "a-first"])
        #expect(result.skipped.isEmpty)
        #expect(result.scanned == 3)
    }

    @Test func rootWithAManifestIsTheOnlyPlugin() throws {
        let dir = TempDir()
        dir.plugin(".", name: "root")
        dir.plugin("child", name: "child")
        #expect(try Discovery.discover(dir.path).plugins.map(\.manifest.name) == ["root"])
    }

    @Test func ignoresDefaultAndCustomPatternsOnFolderNames() throws {
        let dir = TempDir()
        for folder in ["__pycache__", ".venv", ".venv-py311", "venv", "x.egg-info", "node_modules", "build", ".git"] {
            dir.plugin("\(folder)/p", name: "in-\(folder)")
        }
        dir.plugin(".venvextra/p", name: "kept-venvextra")  // `.venv` has no wildcard: exact names only
        dir.plugin(".hidden/p", name: "kept-hidden")        // hidden folders are walked
        dir.plugin("tmp-1/p", name: "custom-ignored")
        let result = try Discovery.discover(dir.path, ignore: ["tmp-?"])
        #expect(result.plugins.map(\.manifest.name).sorted() == ["kept-hidden", "kept-venvextra"])
    }

    @Test func nonRecursiveOnlyLooksAtTheRoot() throws {
        let dir = TempDir()
        dir.plugin("child", name: "child")
        #expect(try Discovery.discover(dir.path, recursive: false).plugins.isEmpty)
    }

    @Test func brokenPluginsAreSkippedWithTheirErrorAndTheRestLoads() throws {
        let dir = TempDir()
        dir.plugin("good", name: "good")
        dir.write("bad-toml/dagstack.toml", "[plugin\nname = 1")
        dir.plugin("bad-field", name: "bad", extra: "fallback = \"yes\"")
        let result = try Discovery.discover(dir.path)
        #expect(result.plugins.map(\.manifest.name) == ["good"])
        #expect(result.skipped.map { URL(fileURLWithPath: $0.folder).lastPathComponent } == ["bad-field", "bad-toml"])
        #expect(result.skipped[0].error.message ==
            "Invalid manifest at \(dir.path)/bad-field/dagstack.toml: plugin.fallback: expected a boolean, got string \"yes\"")
        #expect(result.skipped[1].error.message.hasPrefix("Malformed TOML at \(dir.path)/bad-toml/dagstack.toml:1:"))
    }

    @Test func aLargeDirectoryLoadsInParallelWithTheSameOrderAndSkips() throws {
        let dir = TempDir()
        // Enough folders for the parallel path; every seventh one broken, a dependency across the range.
        for i in 0..<50 {
            let folder = String(format: "p%02d", i)
            if i % 7 == 3 {
                dir.write("\(folder)/dagstack.toml", "[plugin\nname = \(i)")
            } else {
                dir.plugin(folder, name: folder, priority: i % 5, extra: i == 1 ? "depends_on = [\"p48\"]" : "")
            }
        }
        let result = try Discovery.discover(dir.path)
        let good = (0..<50).filter { $0 % 7 != 3 }.map { String(format: "p%02d", $0) }
        // Priority desc, ties by name; p01 runs after the plugin it depends on.
        let expected = good.filter { $0 != "p01" }.sorted {
            let (a, b) = (Int($0.dropFirst())! % 5, Int($1.dropFirst())! % 5)
            return a != b ? a > b : $0 < $1
        }
        let order = result.plugins.map(\.manifest.name)
        #expect(order.filter { $0 != "p01" } == expected)
        #expect(order.firstIndex(of: "p01")! > order.firstIndex(of: "p48")!)
        #expect(result.skipped.map { URL(fileURLWithPath: $0.folder).lastPathComponent } == ["p03", "p10", "p17", "p24", "p31", "p38", "p45"])
        #expect(result.skipped.allSatisfy { $0.error.message.hasPrefix("Malformed TOML at \(dir.path)/p") })
        #expect(result.scanned == 50)
    }

    @Test func duplicateNamesFailNamingBothFolders() {
        let dir = TempDir()
        dir.plugin("one", name: "same", kind: "a")
        dir.plugin("two", name: "same", kind: "b")
        #expect(throws: DagstackError(
            .manifestInvalid, "Duplicate plugin name 'same': found at \(dir.path)/two and \(dir.path)/one (plugin names are unique across kinds here, as in the reference and ADR-0006: commands name plugins; concepts/discovery allows one per kind — docs/runtime.md)", plugin: "same")
        ) { try Discovery.discover(dir.path) }
    }

    @Test func dependencyCycleIsNamed() {
        let dir = TempDir()
        dir.plugin("a", name: "a", extra: "depends_on = [\"b\"]")
        dir.plugin("b", name: "b", extra: "depends_on = [\"c\"]")
        dir.plugin("c", name: "c", extra: "depends_on = [\"a\"]")
        dir.plugin("d", name: "d")
        #expect(throws: DagstackError(.dependencyCycle, "Dependency cycle detected among plugins ['a', 'b', 'c']: a -> b -> c -> a")) {
            try Discovery.discover(dir.path)
        }
    }

    @Test func selfDependencyIsACycle() {
        #expect(throws: DagstackError(.dependencyCycle, "Dependency cycle detected among plugins ['s']: s -> s")) {
            try TopologicalOrder.sort([manifest("s", dependsOn: ["s"])])
        }
    }

    @Test func symlinkLoopsAreReportedNotWalkedForever() throws {
        let dir = TempDir()
        dir.plugin("real/p", name: "p")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/real/loop", withDestinationPath: dir.path + "/real")
        let result = try Discovery.discover(dir.path)
        #expect(result.plugins.map(\.manifest.name) == ["p"])
        #expect(result.skipped.count == 1)
        #expect(result.skipped[0].error.message.contains("symlink loop"))
    }

    @Test func missingRootIsAClearError() {
        #expect(throws: DagstackError(.pluginLoadError, "discover path does not exist: /no/such/dir")) {
            try Discovery.discover("/no/such/dir")
        }
    }

    /// The reference's global re-ranking: whenever plugins become ready the whole queue is re-sorted
    /// by (priority desc, name), so a newly freed high-priority plugin jumps ahead.
    @Test func topologicalOrderReRanksTheReadyQueueGlobally() throws {
        let order = try TopologicalOrder.sort([
            manifest("a", priority: 0), manifest("b", priority: 10, dependsOn: ["a"]), manifest("c", priority: 5),
            manifest("d", priority: 0, dependsOn: ["ghost"]), manifest("h", priority: 100, dependsOn: ["c"]),
            manifest("f", priority: 99), manifest("g", priority: 1),
        ])
        // Ready at first: f(99) c(5) g(1) a(0) d(0); c frees h(100), which then comes first.
        #expect(order.map(\.name) == ["f", "c", "h", "g", "a", "b", "d"])
    }
}
