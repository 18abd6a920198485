import Console
import Foundation
import Inspector
import PluginHosts
import PluginSystem

/// A chain stage doing the same work as the Python reference's (`{**value, "n": value["n"] + 1}`),
/// written the fast way: an in-place `ChainStage`.
func counterStage() -> SwiftPlugin {
    SwiftPlugin(chainStages: ["rewrite": { value, _ in
        value.modifyObject { $0["n"] = .int(($0["n"]?.intValue ?? 0) + 1) }
        return .next
    }])
}

/// The same stage written as a hook that returns a new value.
func returningCounterStage() -> SwiftPlugin {
    SwiftPlugin(synchronousHooks: ["rewrite": { args, _ in
        guard case .object(var o) = args.positional[0] else { return .value(args.positional[0]) }
        o["n"] = .int((o["n"]?.intValue ?? 0) + 1)
        return .value(.object(o))
    }])
}

enum Bench {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let echoServer = root + "/Benchmarks/echo_server.py"

    // 1. Chain dispatch per stage, Swift in-process plugins.
    static func chainDispatch() async throws {
        for stages in [1, 10, 100] {
            let registry = try await counterRegistry(stages: stages)
            let dispatcher = ChainDispatcher(registry)
            let iterations = 200_000 / stages
            let check = try await dispatcher.dispatch("bench", "rewrite", initial: ["n": 0], keepAnswers: false)
            precondition(check.value["n"] == .int(stages), "the chain did not run every stage")
            let perCall = try await Measure.perOperation(iterations: iterations) {
                for _ in 0..<iterations { _ = try await dispatcher.dispatch("bench", "rewrite", initial: ["n": 0], keepAnswers: false) }
            }
            report("chain_dispatch_per_stage_n\(stages)", perCall / Double(stages) * 1e9, "ns")
        }
        // For comparison: stages that return a new value, every stage's answer kept.
        let returning = try await counterRegistry(stages: 10, stage: returningCounterStage)
        let perCall = try await Measure.perOperation(iterations: 20_000) {
            for _ in 0..<20_000 { _ = try await ChainDispatcher(returning).dispatch("bench", "rewrite", initial: ["n": 0]) }
        }
        report("chain_dispatch_per_stage_n10_returning_values_keeping_answers", perCall / 10 * 1e9, "ns")
        // Growth with 1,000 plugins of another kind: rounds alternate between the two registries,
        // so both see the same machine.
        let alone = ChainDispatcher(try await counterRegistry(stages: 10))
        let crowded = ChainDispatcher(try await counterRegistry(stages: 10, unrelated: 1000))
        var aloneRounds: [Double] = [], crowdedRounds: [Double] = []
        for _ in 0..<9 {
            for (dispatcher, into) in [(alone, 0), (crowded, 1)] {
                let start = ContinuousClock.now
                for _ in 0..<20_000 { _ = try await dispatcher.dispatch("bench", "rewrite", initial: ["n": 0], keepAnswers: false) }
                let perStage = Measure.seconds(ContinuousClock.now - start) / 20_000 / 10
                if into == 0 { aloneRounds.append(perStage) } else { crowdedRounds.append(perStage) }
            }
        }
        report("chain_dispatch_per_stage_n10_alternating", Measure.median(aloneRounds) * 1e9, "ns")
        report("chain_dispatch_per_stage_n10_with_1000_unrelated", Measure.median(crowdedRounds) * 1e9, "ns")
    }

    static func counterRegistry(
        stages: Int, unrelated: Int = 0, stage: () -> SwiftPlugin = counterStage
    ) async throws -> PluginRegistry {
        let registry = PluginRegistry()
        for i in 0..<stages { try registry.register(PluginManifest(name: "s\(i)", kind: "bench", priority: i), instance: stage()) }
        for i in 0..<unrelated { try registry.register(PluginManifest(name: "other\(i)", kind: "unrelated", priority: i), instance: stage()) }
        try await registry.setupAll()
        return registry
    }

    static let seedQuery: JSONValue = ["text": "  How to LAUNCH dagstack?  ", "tenant_id": "acme-corp"]

    /// Raw line round trips to a Python echo child — the physical floor for Python-hosted calls —
    /// waiting by sleeping in `read` and by checking without sleeping; the floor is the faster.
    static func echoFloor(payload: JSONValue, count: Int) throws -> (floor: [Double], blocking: [Double], spinning: [Double]) {
        let python = ProcessInfo.processInfo.environment["DAGSTACK_PYTHON"] ?? "python3"
        let process = try ChildProcessForBench(command: [python, echoServer])
        defer { process.stop() }
        var line = JSONValue.object(["jsonrpc": "2.0", "method": "echo", "params": ["_args": [payload]], "id": 1]).encodedBytes()
        line.append(0x0A)
        for _ in 0..<200 { try process.roundTrip(line, spinning: false) }
        var blocking: [Double] = [], spinning: [Double] = []
        for i in 0..<(2 * count) {  // alternating, so both see the same machine
            let spin = i % 2 == 1
            let start = ContinuousClock.now
            try process.roundTrip(line, spinning: spin)
            let took = Measure.seconds(ContinuousClock.now - start)
            if spin { spinning.append(took) } else { blocking.append(took) }
        }
        let floor = Measure.median(spinning) < Measure.median(blocking) ? spinning : blocking
        return (floor, blocking, spinning)
    }

    // 2. Trace of the seed chain through the Python host.
    static func tracePython() async throws {
        var options = PluginDirectory.Options()
        options.only = ["normalizer", "blacklist", "synonymizer", "tenant-enricher"]
        let dir = await PluginDirectory.load(root + "/plugins", options: options)
        defer { Task { await dir.close() } }
        let tracer = ChainTracer(registry: dir.registry, kind: "query_rewriter", hook: "rewrite")
        for _ in 0..<50 { _ = await tracer.trace(seedQuery) }
        let trace = await Measure.each(500) { _ = await tracer.trace(seedQuery) }
        let plain = try await Measure.each(500) { _ = try await ChainDispatcher(dir.registry).dispatch("query_rewriter", "rewrite", initial: seedQuery) }
        let (floor, blocking, spinning) = try echoFloor(payload: seedQuery, count: 2000)
        report("trace_seed_chain_python_host", Measure.median(trace) * 1e6, "us")
        report("dispatch_seed_chain_python_host", Measure.median(plain) * 1e6, "us")
        report("python_echo_round_trip_floor", Measure.median(floor) * 1e6, "us")
        report("python_echo_round_trip_blocking_read", Measure.median(blocking) * 1e6, "us")
        report("python_echo_round_trip_spinning_read", Measure.median(spinning) * 1e6, "us")
        report("trace_seed_chain_vs_floor", Measure.median(trace) / Measure.median(floor), "x")
        await dir.close()
    }

    // 3. mcp_stdio round trip.
    static func stdio() async throws {
        let temp = NSTemporaryDirectory() + "dagstack-bench-stdio-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: temp + "/echo", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: temp) }
        try """
            [plugin]
            name = "echo"
            kind = "bench"
            runtime = "mcp_stdio"
            core_version = ">=0.1.0,<1.0.0"
            command = ["python3", "\(echoServer)"]
            """.write(toFile: temp + "/echo/dagstack.toml", atomically: true, encoding: .utf8)
        let dir = await PluginDirectory.load(temp)
        let payload: JSONValue = ["msg": "hi"]
        for _ in 0..<500 { _ = try await dir.registry.call("echo", hook: "echo", arguments: HookArguments([payload])) }
        let ours = try await Measure.each(5000) { _ = try await dir.registry.call("echo", hook: "echo", arguments: HookArguments([payload])) }
        await dir.close()
        let floor = try echoFloor(payload: payload, count: 5000).floor
        report("stdio_round_trip_p50", Measure.percentile(ours, 50) * 1e6, "us")
        report("stdio_round_trip_p99", Measure.percentile(ours, 99) * 1e6, "us")
        report("stdio_raw_pipe_floor_p50", Measure.percentile(floor, 50) * 1e6, "us")
        report("stdio_raw_pipe_floor_p99", Measure.percentile(floor, 99) * 1e6, "us")
        report("stdio_round_trip_vs_floor_p50", Measure.percentile(ours, 50) / Measure.percentile(floor, 50), "x")
    }

    // 4. Start-up of the console.
    static func startup(console: String) throws {
        var samples: [Double] = []
        for _ in 0..<10 {
            let start = ContinuousClock.now
            let status = try runProcess(console, ["plugins", "-c", "kinds"], directory: root)
            precondition(status == 0, "the console failed to start")
            samples.append(Measure.seconds(ContinuousClock.now - start))
        }
        report("console_startup_plugins_kinds", Measure.median(samples) * 1000, "ms")
    }

    // 5. 1,000 generated Python plugin folders.
    static func thousandPlugins(folder: String) async throws {
        var discover: [Double] = []
        for _ in 0..<5 {
            let start = ContinuousClock.now
            _ = try Discovery.discover(folder)
            discover.append(Measure.seconds(ContinuousClock.now - start))
        }
        var load: [Double] = []
        for _ in 0..<3 {
            let start = ContinuousClock.now
            let dir = await PluginDirectory.load(folder)
            load.append(Measure.seconds(ContinuousClock.now - start))
            precondition(dir.registry.records.filter(\.isActive).count == 1000, "not every generated plugin came up")
            await dir.close()
        }
        report("discover_1000_manifests", Measure.median(discover) * 1000, "ms")
        report("discover_and_setup_1000_python_plugins", Measure.median(load) * 1000, "ms")
    }

    // 6. Diff of large values with one change.
    static func diff() async {
        for (label, count) in [("10KB", 150), ("100KB", 1500), ("1MB", 15_000), ("10MB", 150_000)] {
            let items = (0..<count).map { JSONValue.object(["id": .int($0), "name": .string("item number \($0)"), "tags": ["a", "b"]]) }
            var changed = items
            changed[count / 2] = ["id": .int(count / 2), "name": "renamed", "tags": ["a", "b"]]
            let (a, b) = (JSONValue.array(items), JSONValue.array(changed))
            let size = a.encodedBytes().count
            let perDiff = await Measure.perOperation(iterations: 3) { for _ in 0..<3 { precondition(JSONDiff.diff(a, b).count == 1) } }
            report("diff_one_change_\(label)", perDiff * 1000, "ms")
            report("diff_one_change_\(label)_bytes", Double(size), "bytes")
        }
    }

    // 7. Replay of a 10,000-command session of Swift-plugin traces.
    static func replay() async throws {
        let temp = NSTemporaryDirectory() + "dagstack-bench-replay-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: temp) }
        for i in 0..<3 {
            try FileManager.default.createDirectory(atPath: "\(temp)/plugins/s\(i)", withIntermediateDirectories: true)
            try """
                [plugin]
                name = "s\(i)"
                kind = "bench"
                runtime = "in_process"
                core_version = ">=0.1.0,<1.0.0"
                entry_point = "bench:Counter"
                priority = \(i)
                """.write(toFile: "\(temp)/plugins/s\(i)/dagstack.toml", atomically: true, encoding: .utf8)
        }
        var options = ConsoleState.Options()
        options.swiftPlugins.add("bench:Counter") { _ in counterStage() }
        let console = ConsoleState(options: options)
        _ = await console.start("\(temp)/plugins")
        _ = await console.execute("record \(temp)/session.jsonl")
        for i in 0..<10_000 { _ = await console.execute(#"trace bench.rewrite {"n": \#(i % 97)}"#) }
        _ = await console.execute("record stop")
        await console.close()
        let start = ContinuousClock.now
        let (status, _) = await ConsoleState.replay(file: "\(temp)/session.jsonl", directory: "\(temp)/plugins", options: options)
        let elapsed = Measure.seconds(ContinuousClock.now - start)
        precondition(status == 0, "the replay diverged")
        report("replay_10000_swift_traces", 10_000 / elapsed, "commands/s")
    }

    // 8. Peak memory of the console with plugins/ loaded. Through GNU time: a child's own
    // ru_maxrss starts from its parent's high-water mark (it begins as a copy of the parent), so
    // measured from here it would be this benchmark's memory after the replay figure, not the console's.
    static func memory(console: String) throws {
        let output = NSTemporaryDirectory() + "dagstack-bench-rss-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let status = try runProcess("/usr/bin/time", ["-f", "%M", "-o", output, console, "plugins", "-c", "kinds", "-c",
                                                          #"trace query_rewriter.rewrite {"text": "x"}"#], directory: root)
        guard status == 0, let text = try? String(contentsOfFile: output, encoding: .utf8),
            let kib = Double(text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last ?? "")
        else { throw BenchError("could not measure the console's memory (GNU time, /usr/bin/time, is needed)") }
        report("console_peak_rss_plugins_loaded", kib / 1024, "MB")
    }
}
