import OrderedCollections
import Foundation
import Logging

/// The outcome of `setupAll` for one plugin.
public struct SetupOutcome: Sendable {
    public let plugin: String
    public let state: PluginState
    public let duration: Duration
}

extension PluginRegistry {
    /// Sets up every registered plugin in dependency order (ties: runtime, then priority desc, then
    /// name), continuing past failures. A plugin whose set-up throws or times out
    /// (`startup_timeout_sec`) becomes `failed`; a plugin that lacks a required resource, or whose
    /// dependency is missing or not active, becomes `unavailable`. Only a dependency cycle stops the
    /// whole set-up. Each plugin's `ctx.config` is its section `<kind>.<name>` of `config`.
    @discardableResult
    public func setupAll(config: AppConfig = AppConfig(), metadata: JSONObject = [:]) async throws(DagstackError) -> [SetupOutcome] {
        let pending = records.filter { if case .registered = $0.lifecycle { true } else { false } }
        let order = try TopologicalOrder.sort(pending.map(\.manifest), byRuntime: true)
        var outcomes: [SetupOutcome] = []
        var index = 0
        while index < order.count {
            let batch = await setUpBatch(order[index...], config: config, metadata: metadata)
            if !batch.isEmpty {
                outcomes += batch
                index += batch.count
                continue
            }
            let manifest = order[index]
            let started = ContinuousClock.now
            let state = await setUp(manifest.name, config: config, metadata: metadata)
            outcomes.append(SetupOutcome(plugin: manifest.name, state: state, duration: ContinuousClock.now - started))
            index += 1
        }
        return outcomes
    }

    private func setUp(_ name: String, config: AppConfig, metadata: JSONObject) async -> PluginState {
        guard let record = record(named: name), let instance = record.instance else { return .unavailable("not bound") }
        let manifest = record.manifest
        if let reason = blockingDependency(of: manifest) {
            logger.warning("Skipping setup of plugin '\(name)' — \(reason)")
            return finishSetup(name, .unavailable(reason))
        }
        let container: ResourceContainer
        do { container = try resources.container(for: manifest) } catch {
            // The docs' word (concepts/resources, manifest-schema): unavailable, with the reason.
            logger.warning("Skipping setup of plugin '\(name)' — \(error.message)")
            return finishSetup(name, .unavailable(error.message))
        }
        let context: PluginContext
        do { context = try setupContext(record, container: container, config: config, metadata: metadata) } catch {
            return failSetup(name, error)
        }
        let limit = Double(manifest.startupTimeoutSec)
        do {
            if instance.enforcesTimeLimits {
                try await instance.setup(context)
            } else {
                try await withDeadline(seconds: limit) { try await instance.setup(context) }
            }
            return completeSetup(name, container: container)
        } catch is DeadlineExceeded {
            await instance.terminate()
            return finishSetup(name, .failed(DagstackError(
                .pluginTimeout, "Plugin '\(name)' did not finish setup within \(manifest.startupTimeoutSec)s (startup_timeout_sec); it was stopped",
                plugin: name)))
        } catch {
            return failSetup(name, DagstackError.from(error, plugin: name, during: "setup"), config: config)
        }
    }

    func setupContext(
        _ record: PluginRecord, container: ResourceContainer, config: AppConfig, metadata: JSONObject
    ) throws(DagstackError) -> PluginContext {
        PluginContext(
            manifest: record.manifest, config: try config.section(kind: record.kind, name: record.name),
            logger: Logger(label: "dagstack.plugin.\(record.name)"), resources: container, resourceRegistry: resources, metadata: metadata,
            folder: record.folder)
    }

    /// Marks a registered plugin unavailable before set-up (the host could not give it what it
    /// needs, e.g. the application config did not load); set-up then skips it.
    public func markUnavailable(_ name: String, _ reason: String) {
        try? update(name) { $0.with(lifecycle: .unavailable(reason)) }
    }

    /// A successful set-up: the plugin holds what it was granted and joins the teardown order.
    func completeSetup(_ name: String, container: ResourceContainer) -> PluginState {
        try? update(name) { $0.with(resources: container) }
        state.withLock { $0.setupOrder.append(name) }
        return finishSetup(name, .active)
    }

    /// A set-up that raised: an error in the plugin's own code is a load error of the plugin. A
    /// config that did not fit is said with where its values came from.
    func failSetup(_ name: String, _ error: DagstackError, config: AppConfig? = nil) -> PluginState {
        var failure = error
        if failure.code == .pluginError { failure.code = .pluginLoadError }
        if let fields = failure.configFields {
            failure.configFields = nil
            if let config, !fields.isEmpty, let kind = record(named: name)?.kind {
                failure.message += " — " + config.whereSet(fields, section: [kind, name])
            }
        }
        logger.error("Plugin '\(name)' failed in setup; its dependents will be unavailable: \(failure.message)")
        return finishSetup(name, .failed(failure))
    }

    private func finishSetup(_ name: String, _ newState: PluginState) -> PluginState {
        try? update(name) { $0.with(lifecycle: newState) }
        logger.info("set up '\(name)': \(newState.name)\(newState.reason.map { " — \($0)" } ?? "")")
        logOutput(name, .setup)
        return newState
    }

    /// A plugin's output in `phase`, one log line each (what `--verbose` shows).
    func logOutput(_ name: String, _ phase: PluginPhase) {
        guard logger.logLevel <= .info, let instance = record(named: name)?.instance else { return }
        for log in instance.phaseOutput.filter({ $0.phase == phase }).flatMap(\.logs) {
            logger.info("'\(name)' \(phase.rawValue) output │ \(log.stream)\(log.level.map { " \($0.lowercased())" } ?? "") │ \(log.text)")
        }
    }

    /// Why a plugin cannot be set up because of its dependencies, or nil when they are all active.
    private func blockingDependency(of manifest: PluginManifest) -> String? {
        for dependency in manifest.dependsOn {
            guard let dep = record(named: dependency) else {
                return "depends on '\(dependency)', which is not loaded"
            }
            if let kind = manifest.dependencyKinds[dependency], kind != dep.kind {
                return "depends on \(kind) '\(dependency)', but '\(dependency)' is a plugin of kind '\(dep.kind)'"
            }
            switch dep.lifecycle {
            case .active: continue
            case .failed: return "its dependency '\(dependency)' failed"
            case .unavailable: return "its dependency '\(dependency)' is unavailable"
            default: return "its dependency '\(dependency)' is not set up"
            }
        }
        return nil
    }

    /// Tears down every set-up plugin in reverse set-up order, each bounded by its
    /// `teardown_timeout_sec`. All plugins are torn down even when some fail; the failures are then
    /// raised together as `TeardownErrors`. A second call does nothing.
    public func teardownAll() async throws(DagstackError) {
        let order = state.withLock { state in
            defer { state.setupOrder.removeAll() }
            return state.setupOrder.reversed() as [String]
        }
        var errors: [DagstackError] = []
        for name in order {
            guard let record = record(named: name), let instance = record.instance else { continue }
            let limit = Double(record.manifest.teardownTimeoutSec)
            do {
                if instance.enforcesTimeLimits {
                    try await instance.teardown()
                } else {
                    try await withDeadline(seconds: limit) { try await instance.teardown() }
                }
            } catch is DeadlineExceeded {
                await instance.terminate()
                errors.append(DagstackError(
                    .pluginTimeout, "Plugin '\(name)' did not finish teardown within \(record.manifest.teardownTimeoutSec)s (teardown_timeout_sec); it was stopped",
                    plugin: name))
            } catch {
                // Coded PluginError (the plugin's code raised), not the reference's PluginLoadError:
                // nothing was being loaded (docs/runtime.md).
                let failure = DagstackError.from(error, plugin: name, during: "teardown")
                logger.error("\(failure.message)")
                errors.append(failure)
            }
            try? update(name) { $0.with(lifecycle: .tornDown) }
            logger.info("tore down '\(name)'")
            logOutput(name, .teardown)
        }
        if !errors.isEmpty {
            let summary = errors.map(\.description).joined(separator: "; ")
            throw DagstackError(.teardownErrors, "teardown_all completed with \(errors.count) error(s): \(summary)", errors: errors)
        }
    }
}
