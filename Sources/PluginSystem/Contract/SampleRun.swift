/// How one sample call went.
public enum SampleOutcome: Sendable {
    case answered(HookReply)
    case failed(DagstackError)
    /// The sample names a hook the plugin does not have: the sample's fault, not the plugin's.
    case unknownHook(String)
    /// Ctrl-C stopped the suite before or during the call.
    case interrupted
}

/// The samples run on one fresh instance: each outcome (in sample order, each sample `repeats` times
/// in a row) and what watching the hooks saw.
struct SampleRun: Sendable {
    var samples: [ContractSample]
    var outcomes: [SampleOutcome]
    var observation: HookObservation?

    var interrupted: Bool { outcomes.contains { if case .interrupted = $0 { true } else { false } } }

    /// The outcome of each sample's first call, with the sample.
    var firstCalls: [(sample: ContractSample, outcome: SampleOutcome)] {
        let repeats = samples.isEmpty ? 1 : max(1, outcomes.count / samples.count)
        return samples.enumerated().map { ($0.element, outcomes[$0.offset * repeats]) }
    }

    /// Why the run's answers are no evidence for `check`, as its finding; nil when every sample was
    /// answered. A raised or timed-out sample fails the check (it proves nothing, and a hook that
    /// raises on every input is broken); a sample for an unknown hook or an interruption leaves it
    /// not run, with the reason.
    /// A failure already reported by another check (`reportedBy`) leaves this one not run, so one
    /// broken hook is one failed check. An answer JSON cannot carry is the serialization check's
    /// finding: elsewhere it is no evidence either way.
    func missingEvidence(for check: ContractCheck, reportedBy: ContractCheck? = nil) -> ContractFinding? {
        if interrupted {
            return ContractFinding(check: check, status: .notRun, message: "interrupted (Ctrl-C) before every sample had run")
        }
        let first = firstCalls
        var raised: [String] = [], unserializable: [String] = []
        for call in first {
            guard case .failed(let error) = call.outcome else { continue }
            let line = "\(call.sample.hook) \(call.sample.input.encoded()): \(Self.describe(error))"
            if error.code == .serializationError { unserializable.append(line) } else { raised.append(line) }
        }
        if !raised.isEmpty {
            let message = raised.count == first.count
                ? "every sample raised (\(raised.count) of \(first.count)), so nothing was checked; the first: \(raised[0])"
                : "\(raised.count) of \(first.count) sample(s) raised; the first: \(raised[0])"
            if let reportedBy, reportedBy != check {
                return ContractFinding(check: check, status: .notRun, message: "no evidence: \(message) (the \(reportedBy.rawValue) check's finding)")
            }
            return ContractFinding(
                check: check, status: .fail, message: message,
                fix: "make the hook answer its samples (or give samples it is meant to answer): a sample that raises or times out proves nothing",
                details: raised.count > 1 ? Array(raised.dropFirst()) : [], violation: ContractFinding.hookFailed)
        }
        if !unserializable.isEmpty && check != .serialization {
            return ContractFinding(
                check: check, status: .notRun,
                message: "no evidence: \(unserializable.count) of \(first.count) answer(s) JSON cannot carry (the serialization check's finding); the first: \(unserializable[0])")
        }
        let unknown = first.compactMap { call -> String? in
            guard case .unknownHook(let reason) = call.outcome else { return nil }
            return reason
        }
        if !unknown.isEmpty {
            return ContractFinding(check: check, status: .notRun, message: unknown[0], details: Array(unknown.dropFirst()))
        }
        return nil
    }

    static func describe(_ error: DagstackError) -> String {
        let type = error.exceptionType ?? error.code.rawValue
        let text = error.message.contains(type) ? error.message : "\(type): \(error.message)"
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}

extension ContractSuite {
    /// Runs the samples (each `repeats` times in a row) on a fresh instance, watched when `observe` is
    /// given and the runtime allows it, then tears the instance down.
    func runSamples(
        _ samples: [ContractSample], deterministic: Bool = true, observe: ObservationRequest? = nil, repeats: Int = 1
    ) async -> Result<SampleRun, DagstackError> {
        let instance: any ContractInstance
        do { instance = try await environment.load(manifest.name, deterministic: deterministic) } catch { return .failure(error) }
        if let reason = setupFailure(instance.registry) {
            _ = await instance.tearDownAndInspect()
            return .failure(DagstackError(.pluginLoadError, reason, plugin: manifest.name))
        }
        let watched = if let observe { await instance.beginObservation(observe) } else { false }
        let record = instance.registry.record(named: manifest.name)
        let hooks = record.flatMap { $0.instance?.hookNames } ?? []
        var outcomes: [SampleOutcome] = []
        for sample in samples {
            for _ in 0..<repeats {
                guard !Task.isCancelled else {
                    outcomes.append(.interrupted)
                    continue
                }
                guard record?.implements(sample.hook) == true else {
                    outcomes.append(.unknownHook("sample for '\(sample.hook)' (from \(sample.source)): the plugin has no hook '\(sample.hook)'"
                                                 + (hooks.isEmpty ? "" : "; its hooks: \(hooks.joined(separator: ", "))")))
                    continue
                }
                let dispatch = kinds.spec(for: manifest.kind)?.hooks[sample.hook]?.dispatch
                do {
                    outcomes.append(.answered(try await instance.registry.call(
                        manifest.name, hook: sample.hook, arguments: sample.arguments(dispatch: dispatch),
                        metadata: manifest.inProcessOnly ? [:] : [ContractSuite.strictKey: true])))
                } catch {
                    outcomes.append(error.code == .cancelled || Task.isCancelled ? .interrupted : .failed(error))
                }
            }
        }
        let observation = watched ? await instance.endObservation() : nil
        _ = await instance.tearDownAndInspect()
        return .success(SampleRun(samples: samples, outcomes: outcomes, observation: observation))
    }
}
