import Foundation
import PluginSystem
import Synchronization

/// Where a batch of chain stages running in an interpreter host has got to, from the host's
/// `chain_stage` announcements (the Python host sends them): a stage is announced once it has run a
/// moment (a quick batch announces nothing), with the stages finished before it. Each announced stage gets the whole
/// `--call-timeout` from its own start, and when one hangs or is interrupted, the stages before it
/// keep their results and nothing runs twice.
final class ChainBatchProgress: Sendable {
    struct Stage: Sendable {
        var index: Int
        var plugin: String
        /// When it started, by this process's clock.
        var started: ContinuousClock.Instant
        /// How many output entries of the batch came before this stage's.
        var streamed: Int
    }

    private struct State {
        var current: Stage?
        var finished: [JSONValue] = []
    }

    private let state = Mutex(State())
    let callTimeout: Double

    init(callTimeout: Double) { self.callTimeout = callTimeout }

    /// The stage announced last, if any.
    var current: Stage? { state.withLock { $0.current } }

    /// The stages the host said finished, as it reported them.
    var finished: [JSONValue] { state.withLock { $0.finished } }

    /// The channel's progress hook: a `chain_stage` announcement starts the announced stage's time
    /// limit from that stage's start.
    var hook: JSONRPCChannel.Progress {
        { [self] method, params in
            guard method == "chain_stage", let index = params["index"]?.intValue, let plugin = params["plugin"]?.stringValue else { return nil }
            let elapsed = Double(params["elapsed_us"]?.intValue ?? 0) / 1_000_000
            state.withLock { s in
                s.finished += params["done"]?.arrayValue ?? []
                s.current = Stage(
                    index: index, plugin: plugin, started: .now - .seconds(elapsed), streamed: params["streamed"]?.intValue ?? 0)
            }
            return max(0, callTimeout - elapsed)
        }
    }
}
