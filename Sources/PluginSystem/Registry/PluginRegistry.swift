import Foundation
import Logging
import OrderedCollections
import Synchronization

/// Registered plugins, their states, and the user's run-time switches (disable/enable, priority
/// overrides). The switches are a view over the registry: manifests are never edited.
public final class PluginRegistry: Sendable {
    /// The version this runtime reports to `core_version` checks: the reference release whose
    /// semantics it implements.
    public static let runtimeVersion = "0.4.1"

    public let coreVersion: PEP440Version
    public let resources: ResourceRegistry
    public let kinds: KindRegistry
    public let logger: Logger
    /// Where `DAGSTACK_ACTIVE_<KIND>` is read from (the process environment unless a test says otherwise).
    public let environment: [String: String]

    struct State {
        var records = OrderedDictionary<String, PluginRecord>()
        var setupOrder: [String] = []
        var warnings: [String] = []
        var observers: [UInt64: any HookObserver] = [:]
        /// The observers in registration order, rebuilt when one is added or removed.
        var observerList: [any HookObserver] = []
        var nextObserverID: UInt64 = 0
        /// Dispatch candidates per kind, sorted; dropped whenever a record changes.
        var candidateCache: [String: [PluginRecord]] = [:]
        var middlewareCache: [PlanKey: [PluginRecord]] = [:]
        var planCache: [PlanKey: DispatchPlan] = [:]
    }

    let state = Mutex(State())
    /// How many observers are registered, readable without the lock: a dispatch with nobody
    /// watching (the usual case) skips the lock and the copy of the list.
    private let observerCount = Atomic<Int>(0)

    public init(
        coreVersion: String = PluginRegistry.runtimeVersion, resources: ResourceRegistry = ResourceRegistry(),
        kinds: KindRegistry = KindRegistry(), environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "dagstack.registry")
    ) {
        self.coreVersion = PEP440Version(coreVersion) ?? PEP440Version(release: [0])
        self.resources = resources
        self.kinds = kinds
        self.environment = environment
        self.logger = logger
    }

    // MARK: Registration

    /// Registers a manifest with the instance that implements it (the Go binding's
    /// `RegisterManifest`). Checks, in the reference's order: schema_version, core_version, a unique name.
    public func register(_ manifest: PluginManifest, instance: any Plugin, folder: String? = nil) throws(DagstackError) {
        try validate(manifest)
        try insert(PluginRecord(manifest: manifest, folder: folder, instance: instance, lifecycle: .registered))
    }

    /// Records a plugin the host could not bind to code (an entry point that does not resolve, a
    /// runtime it cannot run), so that it is listed with its reason instead of silently missing.
    public func registerUnbound(_ manifest: PluginManifest, folder: String? = nil, error: DagstackError) throws(DagstackError) {
        try insert(PluginRecord(manifest: manifest, folder: folder, instance: nil, lifecycle: .failed(error)))
    }

    func validate(_ manifest: PluginManifest) throws(DagstackError) {
        guard manifest.schemaVersion == "1" else {
            throw DagstackError(
                .manifestInvalid,
                "Plugin '\(manifest.name)' has schema_version '\(manifest.schemaVersion)'; this runtime supports '1' (\(manifest.source))",
                plugin: manifest.name)
        }
        let spec: VersionSpecifierSet
        do { spec = try VersionSpecifierSet(manifest.coreVersion) } catch {
            throw DagstackError(
                .manifestInvalid,
                "Plugin '\(manifest.name)' has invalid core_version specifier '\(manifest.coreVersion)': \(error) (\(manifest.source)); core_version is a PEP 440 specifier here, as the reference and the seeds write it ('>=0.1.0,<1.0.0'), not the semver range of reference/manifest-schema ('^0.2') — docs/runtime.md",
                plugin: manifest.name)
        }
        guard spec.contains(coreVersion) else {
            throw DagstackError(
                .versionIncompatible,
                "Plugin '\(manifest.name)' requires dagstack \(manifest.coreVersion), installed \(coreVersion). Please update plugin or core.",
                plugin: manifest.name)
        }
        try checkKindAPIVersion(manifest)
    }

    /// The manifest's `kind_api_version` names the major version of the kind's API the plugin
    /// implements; a kind with a hookspec offers one major (concepts/kinds: a mismatch is
    /// `VersionIncompatible`). A kind without a hookspec is opaque and accepts any.
    func checkKindAPIVersion(_ manifest: PluginManifest) throws(DagstackError) {
        guard let spec = kinds.spec(for: manifest.kind) else { return }
        func major(_ version: String) -> String? {
            let head = version.trimmingCharacters(in: .whitespaces).drop { $0 == "v" || $0 == "V" }.prefix { $0 != "." }
            return head.isEmpty || !head.allSatisfy(\.isNumber) ? nil : String(Int(head) ?? -1)
        }
        guard let wanted = major(manifest.kindAPIVersion) else {
            throw DagstackError(
                .manifestInvalid,
                "Plugin '\(manifest.name)' has kind_api_version '\(manifest.kindAPIVersion)', which is not a version (\(manifest.source))",
                plugin: manifest.name)
        }
        guard let offered = major(spec.kindAPIVersion), wanted == offered else {
            throw DagstackError(
                .versionIncompatible,
                "Plugin '\(manifest.name)' implements kind '\(manifest.kind)' API version \(manifest.kindAPIVersion), but the kind's hookspec (\(spec.source)) is version \(spec.kindAPIVersion); the major versions must match",
                plugin: manifest.name)
        }
    }

    func insert(_ record: PluginRecord) throws(DagstackError) {
        let manifest = record.manifest
        let warning = Self.bandWarning(manifest)
        try state.withLock { (state) throws(DagstackError) in
            if let existing = state.records[manifest.name] {
                throw DagstackError(
                    .manifestInvalid,
                    "Plugin name '\(manifest.name)' is already registered (from \(existing.folder ?? existing.manifest.source))",
                    plugin: manifest.name)
            }
            state.records[manifest.name] = record
            if let warning { state.warnings.append(warning) }
            state.invalidateCaches()
        }
        if let warning { logger.warning("\(warning)") }
    }

    /// ADR-0005: priorities >= 1000 belong to middleware. Said once, at registration — not on every
    /// dispatch as the reference does.
    static func bandWarning(_ m: PluginManifest) -> String? {
        let threshold = PluginManifest.middlewarePriorityThreshold
        if m.isMiddleware && m.priority < threshold {
            return "Plugin '\(m.name)' declares [plugin.chain_wrap] but has priority=\(m.priority); middleware belongs in the reserved range [>=\(threshold)]."
        }
        if !m.isMiddleware && m.priority >= threshold {
            return "Plugin '\(m.name)' uses priority=\(m.priority) which is in the middleware-reserved range [>=\(threshold)]. Business plugins should keep priority < \(threshold)."
        }
        return nil
    }

    // MARK: Queries

    /// Every plugin in registration order.
    public var records: [PluginRecord] { state.withLock { Array($0.records.values) } }

    public func record(named name: String) -> PluginRecord? { state.withLock { $0.records[name] } }

    /// Warnings said at registration (middleware band misuse).
    public var warnings: [String] { state.withLock { $0.warnings } }

    /// Kinds with at least one registered plugin, sorted.
    public var kindNames: [String] { state.withLock { Set($0.records.values.map(\.kind)).sorted() } }

    /// Active plugins of `kind` in dispatch order (priority desc, name asc), middleware excluded.
    public func candidates(kind: String) -> [PluginRecord] {
        state.withLock { state in
            if let cached = state.candidateCache[kind] { return cached }
            let sorted = state.records.values.filter { $0.kind == kind && $0.isActive && !$0.manifest.isMiddleware }
                .sorted(by: PluginRecord.dispatchOrder)
            state.candidateCache[kind] = sorted
            return sorted
        }
    }

    /// Every plugin of `kind` (any state), in the order dispatch would use if all were active.
    public func ordered(kind: String) -> [PluginRecord] {
        state.withLock { $0.records.values.filter { $0.kind == kind }.sorted(by: PluginRecord.dispatchOrder) }
    }

    /// Active middleware whose `[plugin.chain_wrap]` covers `kind.hook`, outermost first.
    public func middleware(kind: String, hook: String) -> [PluginRecord] {
        state.withLock { state in
            let key = PlanKey(kind: kind, hook: hook, dispatchClass: nil)
            if let cached = state.middlewareCache[key] { return cached }
            let wrapping = state.records.values.filter {
                $0.isActive && ($0.manifest.chainWrap?.wraps(kind: kind, hook: hook) ?? false)
            }.sorted(by: PluginRecord.dispatchOrder)
            state.middlewareCache[key] = wrapping
            return wrapping
        }
    }

    // MARK: The user's switches

    /// Switches a plugin off (or on again). A disabled plugin stays set up but is never dispatched to.
    public func setEnabled(_ name: String, _ enabled: Bool) throws(DagstackError) {
        try update(name) { $0.with(disabled: !enabled) }
    }

    /// Overrides a plugin's priority for dispatch ordering without touching its manifest; nil resets it.
    public func setPriority(_ name: String, _ priority: Int?) throws(DagstackError) {
        try update(name) { $0.with(priorityOverride: .some(priority)) }
    }

    /// Marks a plugin failed after set-up (it crashed, hung, or broke its protocol).
    public func markFailed(_ name: String, _ error: DagstackError) {
        try? update(name) { $0.with(lifecycle: .failed(error)) }
        logger.error("Plugin '\(name)' marked failed: \(error)")
    }

    func update(_ name: String, _ change: (PluginRecord) -> PluginRecord) throws(DagstackError) {
        try state.withLock { (state) throws(DagstackError) in
            guard let record = state.records[name] else { throw Self.unknownPlugin(name, known: Array(state.records.keys)) }
            state.records[name] = change(record)
            state.invalidateCaches()
        }
    }

    /// The plan of one dispatch, cached until the registry or its kinds change: `kind.hook` checked
    /// against its spec (a known kind must declare the hook with this class), then the active
    /// plugins that implement it.
    public func plan(kind: String, hook: String, as dispatchClass: DispatchClass) throws(DagstackError) -> DispatchPlan {
        let key = PlanKey(kind: kind, hook: hook, dispatchClass: dispatchClass)
        let generation = kinds.generation
        if let cached = state.withLock({ $0.planCache[key] }), cached.kindsGeneration == generation {
            logDispatch(cached)
            return cached
        }
        let plan = try DispatchPlan(building: self, kind: kind, hook: hook, as: dispatchClass)
        state.withLock { $0.planCache[key] = plan }
        logDispatch(plan)
        return plan
    }

    /// A dispatch as `--verbose` shows it: the hook, its class and who will be called.
    private func logDispatch(_ plan: DispatchPlan) {
        logger.debug("dispatch \(plan.kind).\(plan.hook) (\(plan.dispatchClass.rawValue)): \(plan.candidates.map(\.name).joined(separator: ", "))\(plan.middleware.isEmpty ? "" : " inside \(plan.middleware.map(\.name).joined(separator: ", "))")")
    }

    static func unknownPlugin(_ name: String, known: [String]) -> DagstackError {
        DagstackError(.kindUnknown, "No plugin named '\(name)'; available: [\(known.sorted().map { "'\($0)'" }.joined(separator: ", "))]")
    }

    // MARK: Calling one plugin

    /// Calls `hook` on one plugin, whatever the kind's dispatch class (inside its middleware, seen
    /// by observers): how the console's contract checks exercise a plugin on its own, and how a
    /// plugin's code reaches another plugin (`calledBy`: observers see a call nested in that one's).
    public func call(
        _ plugin: String, hook: String, arguments: HookArguments, metadata: JSONObject = [:], calledBy: String? = nil
    ) async throws(DagstackError) -> HookReply {
        guard let record = record(named: plugin) else { throw Self.unknownPlugin(plugin, known: records.map(\.name)) }
        guard record.isActive else {
            throw DagstackError(.pluginLoadError, "Plugin '\(plugin)' is \(record.state.name)\(record.state.reason.map { ": \($0)" } ?? "")", plugin: plugin)
        }
        guard record.implements(hook) else {
            throw DagstackError(.kindUnknown, "Plugin '\(plugin)' has no hook '\(hook)'", plugin: plugin)
        }
        return try await HookInvoker(registry: self).call(
            record, kind: record.kind, hook: hook, arguments: arguments, metadata: metadata, role: calledBy.map { .nested(calledBy: $0) } ?? .hook)
    }

    // MARK: Observers

    /// Adds an observer that sees every hook call; returns a token for `removeObserver`.
    @discardableResult
    public func addObserver(_ observer: any HookObserver) -> UInt64 {
        state.withLock { state in
            state.nextObserverID += 1
            state.observers[state.nextObserverID] = observer
            state.observerList = state.observers.sorted { $0.key < $1.key }.map(\.value)
            observerCount.store(state.observerList.count, ordering: .releasing)
            return state.nextObserverID
        }
    }

    public func removeObserver(_ token: UInt64) {
        state.withLock { state in
            state.observers.removeValue(forKey: token)
            state.observerList = state.observers.sorted { $0.key < $1.key }.map(\.value)
            observerCount.store(state.observerList.count, ordering: .releasing)
        }
    }

    var observers: [any HookObserver] {
        observerCount.load(ordering: .acquiring) == 0 ? [] : state.withLock { $0.observerList }
    }
}

extension PluginRegistry.State {
    mutating func invalidateCaches() {
        candidateCache.removeAll(keepingCapacity: true)
        middlewareCache.removeAll(keepingCapacity: true)
        planCache.removeAll(keepingCapacity: true)
    }
}

/// What a cached plan is for.
struct PlanKey: Hashable, Sendable {
    var kind: String
    var hook: String
    var dispatchClass: DispatchClass?
}
