/// A plugin whose host can set up several of its plugins in one exchange (the Python host: one
/// round trip for a directory's Python plugins instead of one each).
public protocol SetupBatchingPlugin: Plugin {
    /// Plugins with the same group can be set up in one batch.
    var batchGroup: ObjectIdentifier { get }
    /// Sets up `plugins` — instances of this group — in order, stopping after the first failure.
    /// Returns the outcome of each that ran, in order (with how long its set-up took), or nil when
    /// the batch could not run as a whole; the registry then sets them up one by one, so a hang or
    /// a crash is reported for — and stops — the right plugin.
    func setupBatch(_ plugins: [BatchedSetup]) async -> [Result<Duration, DagstackError>]?
}

/// One plugin of a set-up batch.
public struct BatchedSetup: Sendable {
    public let name: String
    public let context: PluginContext
}

extension PluginRegistry {
    /// Largest batch: a batch's time limit is its members' smallest `startup_timeout_sec`, so a
    /// batch is kept small enough to finish well within it.
    static let maxSetupBatch = 64

    /// Sets up as many of `manifests` as one batch can take — consecutive plugins of the same
    /// batching host whose dependencies are active or earlier in the batch — and records each
    /// outcome as a set-up of its own would. Empty when the first ones cannot be batched.
    func setUpBatch(_ manifests: ArraySlice<PluginManifest>, config: AppConfig, metadata: JSONObject) async -> [SetupOutcome] {
        guard let first = manifests.first, let host = record(named: first.name)?.instance as? SetupBatchingPlugin else { return [] }
        var members: [(setup: BatchedSetup, container: ResourceContainer, limit: Int)] = []
        var batched: Set<String> = []
        for manifest in manifests.prefix(Self.maxSetupBatch) {
            guard let record = record(named: manifest.name), let instance = record.instance as? SetupBatchingPlugin,
                instance.batchGroup == host.batchGroup,
                manifest.dependsOn.allSatisfy({ batched.contains($0) || self.record(named: $0)?.lifecycle == .active }),
                manifest.dependencyKinds.allSatisfy({ self.record(named: $0.key)?.kind == $0.value }),
                let container = try? resources.container(for: manifest),
                let context = try? setupContext(record, container: container, config: config, metadata: metadata)
            else { break }
            members.append((BatchedSetup(name: manifest.name, context: context), container, manifest.startupTimeoutSec))
            batched.insert(manifest.name)
        }
        guard members.count > 1, let results = await host.setupBatch(members.map(\.setup)) else { return [] }
        return zip(members, results).map { member, result in
            let name = member.setup.name
            switch result {
            case .success(let duration):
                return SetupOutcome(plugin: name, state: completeSetup(name, container: member.container), duration: duration)
            case .failure(let error):
                return SetupOutcome(plugin: name, state: failSetup(name, error, config: config), duration: .zero)
            }
        }
    }
}
