import OrderedCollections
import Synchronization

/// The host's named resources. Names keep their registration order (as the reference's `names()`).
public final class ResourceRegistry: Sendable {
    private let entries = Mutex(OrderedDictionary<String, Resource>())

    public init() {}

    /// Adds a resource; a name already taken is an error unless `replace` is set.
    public func register(_ name: String, _ resource: Resource, replace: Bool = false) throws(DagstackError) {
        try entries.withLock { (entries) throws(DagstackError) in
            if entries[name] != nil && !replace {
                throw DagstackError(.resourceConflict, "Resource '\(name)' is already registered")
            }
            entries[name] = resource
        }
    }

    /// Adds `clock` (system) and `rng` (system) where the host has not registered its own.
    public func registerStandard() {
        entries.withLock { entries in
            if entries["clock"] == nil { entries["clock"] = .clock(SystemClock()) }
            if entries["rng"] == nil { entries["rng"] = .rng(SystemRng()) }
        }
    }

    public func remove(_ name: String) { _ = entries.withLock { $0.removeValue(forKey: name) } }

    public func get(_ name: String) -> Resource? { entries.withLock { $0[name] } }

    public var names: [String] { entries.withLock { Array($0.keys) } }

    public var all: OrderedDictionary<String, Resource> { entries.withLock { $0 } }

    /// The resources one plugin may see: exactly the names its manifest declares. A missing
    /// required name is an error naming the plugin and what the host does have.
    public func container(for manifest: PluginManifest) throws(DagstackError) -> ResourceContainer {
        let snapshot = all
        var granted = OrderedDictionary<String, Resource>()
        for name in manifest.resources.required {
            guard let resource = snapshot[name] else {
                let have = snapshot.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
                throw DagstackError(
                    .resourceMissing,
                    "Plugin '\(manifest.name)' requires resource '\(name)', but host registered only: [\(have)]",
                    plugin: manifest.name)
            }
            granted[name] = resource
        }
        for name in manifest.resources.optional { if let resource = snapshot[name] { granted[name] = resource } }
        return ResourceContainer(granted)
    }
}

/// What a plugin receives in its context: only the resources it declared.
public struct ResourceContainer: Sendable {
    public let entries: OrderedDictionary<String, Resource>

    public init(_ entries: OrderedDictionary<String, Resource> = [:]) { self.entries = entries }

    public subscript(name: String) -> Resource? { entries[name] }

    public var clock: (any PluginClock)? {
        if case .clock(let c)? = entries["clock"] { return c }
        return nil
    }

    public var rng: (any PluginRng)? {
        if case .rng(let r)? = entries["rng"] { return r }
        return nil
    }

    public var httpClient: (any PluginHTTPClient)? {
        if case .httpClient(let c)? = entries["http_client"] { return c }
        return nil
    }

    public var blobStore: (any PluginBlobStore)? {
        if case .blobStore(let b)? = entries["blob_store"] { return b }
        return nil
    }

    public func value(_ name: String) -> JSONValue? {
        if case .value(let v)? = entries[name] { return v }
        return nil
    }

    public var names: [String] { Array(entries.keys) }
}
