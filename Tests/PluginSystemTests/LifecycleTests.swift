import Foundation
import Testing
@testable import PluginSystem

@Suite struct LifecycleTests {
    func tracked(_ log: CallLog, failSetup: Bool = false, failTeardown: Bool = false, hangSetup: Bool = false,
                 hangTeardown: Bool = false) -> SwiftPlugin {
        SwiftPlugin(
            hooks: [:],
            setup: { ctx in
                log.add("setup \(ctx.manifest.name)")
                if hangSetup { while true { try await Task.sleep(for: .seconds(60)) } }
                if failSetup { throw Boom(text: "no database") }
            },
            teardown: {
                log.add("teardown")
                if hangTeardown { try await Task.sleep(for: .seconds(60)) }
                if failTeardown { throw Boom(text: "socket stuck") }
            })
    }

    @Test func setsUpInDependencyOrderAndTearsDownInReverse() async throws {
        let log = CallLog()
        let registry = PluginRegistry()
        let order = CallLog()
        for (name, priority, deps) in [("db", 1, [String]()), ("api", 50, ["db"]), ("cache", 10, [])] {
            try registry.register(manifest(name, priority: priority, dependsOn: deps), instance: SwiftPlugin(
                hooks: [:], setup: { _ in log.add("setup \(name)") }, teardown: { order.add("teardown \(name)") }))
        }
        let outcomes = try await registry.setupAll()
        #expect(log.all == ["setup cache", "setup db", "setup api"])
        #expect(outcomes.map(\.plugin) == ["cache", "db", "api"])
        #expect(registry.records.allSatisfy { $0.state == .active })
        try await registry.teardownAll()
        #expect(order.all == ["teardown api", "teardown db", "teardown cache"])
        #expect(registry.record(named: "db")?.state == .tornDown)
        try await registry.teardownAll()  // a second call does nothing
        #expect(order.all.count == 3)
    }

    @Test func failedSetupMarksThePluginFailedAndItsDependentsUnavailable() async throws {
        let log = CallLog()
        let registry = PluginRegistry()
        try registry.register(manifest("db"), instance: tracked(log, failSetup: true))
        try registry.register(manifest("api", dependsOn: ["db"]), instance: tracked(log))
        try registry.register(manifest("ui", dependsOn: ["api"]), instance: tracked(log))
        try registry.register(manifest("other"), instance: tracked(log))
        try registry.register(manifest("orphan", dependsOn: ["ghost"]), instance: tracked(log))
        try await registry.setupAll()
        #expect(log.all == ["setup db", "setup other"])
        let db = registry.record(named: "db")!.state
        guard case .failed(let error) = db else { Issue.record("db is \(db)"); return }
        #expect(error.code == .pluginLoadError)
        #expect(error.message == "Plugin 'db' failed in setup: Boom: no database")
        #expect(error.plugin == "db")
        #expect(registry.record(named: "api")?.state == .unavailable("its dependency 'db' failed"))
        #expect(registry.record(named: "ui")?.state == .unavailable("its dependency 'api' is unavailable"))
        #expect(registry.record(named: "orphan")?.state == .unavailable("depends on 'ghost', which is not loaded"))
        #expect(registry.record(named: "other")?.state == .active)
        // Only what was set up is torn down.
        try await registry.teardownAll()
        #expect(log.all == ["setup db", "setup other", "teardown"])
    }

    @Test func missingRequiredResourceMakesThatPluginOnlyUnavailable() async throws {
        let registry = PluginRegistry(resources: {
            let r = ResourceRegistry()
            r.registerStandard()
            return r
        }())
        var needy = manifest("needy")
        needy.resources.required = ["clock", "tenant_keywords"]
        try registry.register(needy, instance: SwiftPlugin(hooks: [:]))
        var fine = manifest("fine")
        fine.resources.required = ["clock"]
        fine.resources.optional = ["missing_optional", "rng"]
        let granted = CallLog()
        try registry.register(fine, instance: SwiftPlugin(hooks: [:], setup: { ctx in
            granted.add(ctx.resources.names.joined(separator: ","))
            #expect(ctx.resources.clock != nil)
        }))
        try await registry.setupAll()
        // concepts/resources, manifest-schema: a missing required resource makes the plugin unavailable.
        #expect(registry.record(named: "needy")?.state
            == .unavailable("Plugin 'needy' requires resource 'tenant_keywords', but host registered only: ['clock', 'rng']"))
        #expect(granted.all == ["clock,rng"])
    }

    // The plugin would sleep forever: finishing at all proves the limit cut it off. No wall-clock
    // bound: while every suite starts at once on two cores, the 1 s timer may fire tens of seconds late.
    @Test(.timeLimit(.minutes(2))) func setupPastItsTimeoutFailsAndIsTerminated() async throws {
        let log = CallLog()
        let registry = PluginRegistry()
        var slow = manifest("slow")
        slow.startupTimeoutSec = 1
        try registry.register(slow, instance: tracked(log, hangSetup: true))
        try await registry.setupAll()
        #expect(registry.record(named: "slow")?.state == .failed(DagstackError(
            .pluginTimeout, "Plugin 'slow' did not finish setup within 1s (startup_timeout_sec); it was stopped", plugin: "slow")))
    }

    @Test func teardownErrorsAreAggregatedAfterEveryPluginWasTornDown() async throws {
        let log = CallLog()
        let registry = PluginRegistry()
        try registry.register(manifest("a", priority: 2), instance: tracked(log, failTeardown: true))
        var hung = manifest("b", priority: 1)
        hung.teardownTimeoutSec = 1
        try registry.register(hung, instance: tracked(log, hangTeardown: true))
        try registry.register(manifest("c", priority: 0), instance: tracked(log))
        try await registry.setupAll()
        do {
            try await registry.teardownAll()
            Issue.record("teardownAll should raise")
        } catch {
            #expect(error.code == .teardownErrors)
            #expect(error.errors.map(\.plugin) == ["b", "a"])
            #expect(error.message ==
                "teardown_all completed with 2 error(s): PluginTimeout: Plugin 'b' did not finish teardown within 1s (teardown_timeout_sec); it was stopped; PluginError: Plugin 'a' failed in teardown: Boom: socket stuck")
        }
        #expect(log.all.filter { $0 == "teardown" }.count == 3)
    }

    @Test func registrationChecksSchemaCoreVersionAndUniqueness() throws {
        let registry = PluginRegistry()
        var old = manifest("old")
        old.coreVersion = ">=1.0"
        #expect(throws: DagstackError(
            .versionIncompatible, "Plugin 'old' requires dagstack >=1.0, installed 0.4.1. Please update plugin or core.", plugin: "old")
        ) { try registry.register(old, instance: SwiftPlugin(hooks: [:])) }
        var semver = manifest("semver")
        semver.coreVersion = "^0.2"
        #expect(throws: DagstackError(
            .manifestInvalid, "Plugin 'semver' has invalid core_version specifier '^0.2': Invalid specifier: '^0.2' (<code>); core_version is a PEP 440 specifier here, as the reference and the seeds write it ('>=0.1.0,<1.0.0'), not the semver range of reference/manifest-schema ('^0.2') — docs/runtime.md", plugin: "semver")
        ) { try registry.register(semver, instance: SwiftPlugin(hooks: [:])) }
        var schema = manifest("schema")
        schema.schemaVersion = "1.0.0"
        #expect(throws: DagstackError.self) { try registry.register(schema, instance: SwiftPlugin(hooks: [:])) }
        try registry.register(manifest("x"), instance: SwiftPlugin(hooks: [:]))
        #expect(throws: DagstackError(.manifestInvalid, "Plugin name 'x' is already registered (from <code>)", plugin: "x")) {
            try registry.register(manifest("x", kind: "other"), instance: SwiftPlugin(hooks: [:]))
        }
    }

    @Test func businessPluginInTheMiddlewareBandIsWarnedOnceAtRegistration() throws {
        let registry = PluginRegistry()
        try registry.register(manifest("loud", priority: 1500), instance: SwiftPlugin(hooks: [:]))
        var governance = manifest("governance", kind: "horizontal_middleware", priority: 1000)
        governance.chainWrap = .init()
        try registry.register(governance, instance: SwiftPlugin(hooks: [:]))
        #expect(registry.warnings == [
            "Plugin 'loud' uses priority=1500 which is in the middleware-reserved range [>=1000]. Business plugins should keep priority < 1000."
        ])
    }

    @Test func disableEnableAndPriorityOverrideAreRunTimeViews() async throws {
        let registry = PluginRegistry()
        try registry.register(manifest("a", priority: 1), instance: appender("a"))
        try registry.register(manifest("b", priority: 2), instance: appender("b"))
        try await registry.setupAll()
        #expect(registry.candidates(kind: "k").map(\.name) == ["b", "a"])
        try registry.setPriority("a", 5)
        #expect(registry.candidates(kind: "k").map(\.name) == ["a", "b"])
        #expect(registry.record(named: "a")?.manifest.priority == 1)
        try registry.setEnabled("b", false)
        #expect(registry.record(named: "b")?.state == .disabled)
        #expect(registry.candidates(kind: "k").map(\.name) == ["a"])
        try registry.setEnabled("b", true)
        try registry.setPriority("a", nil)
        #expect(registry.candidates(kind: "k").map(\.name) == ["b", "a"])
        #expect(throws: DagstackError(.kindUnknown, "No plugin named 'zz'; available: ['a', 'b']")) {
            try registry.setEnabled("zz", false)
        }
    }
}
