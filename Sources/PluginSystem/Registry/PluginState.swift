/// Where a plugin stands. Only `active` plugins are ever dispatched to.
public enum PluginState: Sendable, Equatable {
    /// Registered, not set up yet.
    case registered
    case active
    /// Set up, but switched off by the user; dispatch skips it until it is enabled again.
    case disabled
    /// Its set-up raised, timed out or lacked a required resource, or it crashed or hung later.
    case failed(DagstackError)
    /// A dependency is missing or not active, or the host could not bind it to code.
    case unavailable(String)
    case tornDown

    public var name: String {
        switch self {
        case .registered: "registered"
        case .active: "active"
        case .disabled: "disabled"
        case .failed: "failed"
        case .unavailable: "unavailable"
        case .tornDown: "torn_down"
        }
    }

    /// Why the plugin is not active, when there is a reason to give.
    public var reason: String? {
        switch self {
        case .failed(let error): error.message
        case .unavailable(let why): why
        default: nil
        }
    }
}

/// One registered plugin: its manifest, its instance and its current state, as a snapshot. Its
/// fields live in one immutable object, so passing a record around (dispatch does, per stage) costs
/// one reference count, not a copy of the whole manifest.
public struct PluginRecord: Sendable {
    final class Storage: Sendable {
        let manifest: PluginManifest
        let folder: String?
        let instance: (any Plugin)?
        let lifecycle: PluginState
        let disabled: Bool
        let priorityOverride: Int?
        let resources: ResourceContainer
        // Read on every dispatch: kept apart from the manifest.
        let name: String
        let kind: String
        let priority: Int
        let isMiddleware: Bool
        let isActive: Bool
        /// Set when the instance can run consecutive chain stages in one exchange (worked out once,
        /// not with a dynamic cast per stage).
        let batchGroup: ObjectIdentifier?

        init(
            manifest: PluginManifest, folder: String?, instance: (any Plugin)?, lifecycle: PluginState, disabled: Bool,
            priorityOverride: Int?, resources: ResourceContainer
        ) {
            self.manifest = manifest
            self.folder = folder
            self.instance = instance
            self.lifecycle = lifecycle
            self.disabled = disabled
            self.priorityOverride = priorityOverride
            self.resources = resources
            name = manifest.name
            kind = manifest.kind
            priority = priorityOverride ?? manifest.priority
            isMiddleware = manifest.isMiddleware
            if case .active = lifecycle { isActive = !disabled } else { isActive = false }
            batchGroup = (instance as? ChainBatchingPlugin)?.batchGroup
        }
    }

    let storage: Storage

    init(manifest: PluginManifest, folder: String?, instance: (any Plugin)?, lifecycle: PluginState) {
        storage = Storage(
            manifest: manifest, folder: folder, instance: instance, lifecycle: lifecycle, disabled: false, priorityOverride: nil,
            resources: ResourceContainer())
    }

    private init(_ storage: Storage) { self.storage = storage }

    public var manifest: PluginManifest { storage.manifest }
    public var folder: String? { storage.folder }
    /// The bound instance; nil when the host could not bind the manifest to code.
    public var instance: (any Plugin)? { storage.instance }
    /// Set-up state, independent of the user's switch.
    public var lifecycle: PluginState { storage.lifecycle }
    public var disabled: Bool { storage.disabled }
    public var priorityOverride: Int? { storage.priorityOverride }
    /// What set-up granted; empty until set-up.
    public var resources: ResourceContainer { storage.resources }

    public var name: String { storage.name }
    public var kind: String { storage.kind }
    public var priority: Int { storage.priority }

    public var state: PluginState {
        if storage.disabled, case .active = storage.lifecycle { return .disabled }
        return storage.lifecycle
    }

    public var isActive: Bool { storage.isActive }

    public func implements(_ hook: String) -> Bool { storage.instance?.implements(hook) ?? false }

    /// A copy with some fields changed.
    func with(
        lifecycle: PluginState? = nil, disabled: Bool? = nil, priorityOverride: Int?? = nil, resources: ResourceContainer? = nil
    ) -> PluginRecord {
        PluginRecord(Storage(
            manifest: storage.manifest, folder: storage.folder, instance: storage.instance, lifecycle: lifecycle ?? storage.lifecycle,
            disabled: disabled ?? storage.disabled, priorityOverride: priorityOverride ?? storage.priorityOverride,
            resources: resources ?? storage.resources))
    }

    /// Dispatch order: priority descending, then name ascending (by code point, as Python sorts).
    public static func dispatchOrder(_ a: PluginRecord, _ b: PluginRecord) -> Bool {
        a.priority != b.priority ? a.priority > b.priority : a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
    }
}
