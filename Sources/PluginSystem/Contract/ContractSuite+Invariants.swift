/// The checks for ADR-0003's invariants 4–7, which the Python reference checks only as manifest
/// enums: each applies where the manifest declares what the invariant is about, and says
/// `not_applicable` (with why) where it cannot.
extension ContractSuite {
    /// The main run and what watching it saw, for a check that needs both: without samples the check
    /// is not run; where the runtime cannot be watched it does not apply (`unwatchable` says why).
    func watchedMainRun(
        for check: ContractCheck, _ runs: SampleRuns, unwatchable: String
    ) async throws(ContractFinding) -> (SampleRun, HookObservation) {
        guard !samples.isEmpty else { throw ContractFinding(check: check, status: .notRun, message: noSamples) }
        let run = try await mainRun(for: check, runs)
        guard let observation = run.observation else {
            if let missing = missingEvidence(run, for: check, runs) { throw missing }
            throw ContractFinding(check: check, status: .notApplicable, message: "\(runtimeDescription): \(unwatchable)")
        }
        return (run, observation)
    }

    // MARK: execution_model (#4)

    func executionModelCheck(_ runs: SampleRuns) async -> ContractFinding {
        let model = manifest.executionModel
        let run: SampleRun, observation: HookObservation
        do {
            (run, observation) = try await watchedMainRun(for: .executionModel, runs, unwatchable: "how its hooks wait cannot be seen from the console")
        } catch { return error }
        let javaScript = observation.language == .javaScript
        let awaitable = javaScript ? "a promise" : "a coroutine"
        var problems: [String] = []
        for call in observation.calls {
            if model == .async {
                problems += call.blocking.map { "hook '\(call.hook)' blocks the event loop: \($0)" }
            } else if call.returnedAwaitable {
                problems.append("hook '\(call.hook)' returned \(awaitable), but the plugin declares execution_model = \"\(model.rawValue)\"")
            }
        }
        var seen = Set<String>()
        problems = problems.filter { seen.insert($0).inserted }
        guard problems.isEmpty else {
            return ContractFinding(
                check: .executionModel, status: .fail, message: problems[0],
                fix: model == .async
                    ? javaScript
                        ? "await the promise form (fs/promises, child_process.exec/execFile, a timer promise) instead of the *Sync call, or declare a sync execution_model"
                        : "await the non-blocking form (asyncio.sleep, an async client, asyncio.to_thread for file work), or declare a sync execution_model"
                    : "declare execution_model = \"async\" for async hooks, or make the hook a plain function",
                details: Array(problems.dropFirst()))
        }
        if let missing = missingEvidence(run, for: .executionModel, runs) { return missing }
        return ContractFinding(
            check: .executionModel, status: .pass,
            message: model == .async
                ? javaScript
                    ? "execution_model = \"async\": \(observation.calls.count) call(s) made no blocking (*Sync) file or child process call"
                    : "execution_model = \"async\": \(observation.calls.count) call(s) made no blocking sleep, file or socket call"
                : "execution_model = \"\(model.rawValue)\": \(observation.calls.count) call(s) answered without \(awaitable)")
    }

    // MARK: unit_of_work (#5)

    func unitOfWorkCheck() -> ContractFinding {
        let uow = manifest.unitOfWork
        guard uow.declared else {
            return ContractFinding(
                check: .unitOfWork, status: .notApplicable,
                message: "no unit of work declared ([plugin.unit_of_work] declared = true is for long-running plugins)")
        }
        var problems: [String] = []
        if uow.partitionKey == nil { problems.append("the unit of work has no partition_key: the orchestrator cannot shard it") }
        if uow.estimatedDurationSec == nil { problems.append("the unit of work has no estimated_duration_sec: the scheduler cannot place it") }
        if let key = uow.partitionKey {
            for sample in samples where sample.input.objectValue?[key] == nil {
                problems.append("sample \(sample.hook) \(sample.input.encoded()) has no '\(key)', the partition_key")
            }
        }
        guard problems.isEmpty else {
            return ContractFinding(
                check: .unitOfWork, status: .fail, message: problems[0],
                fix: "declare partition_key and estimated_duration_sec in [plugin.unit_of_work], and take the partition key as an input field",
                details: Array(problems.dropFirst()))
        }
        return ContractFinding(
            check: .unitOfWork, status: .pass,
            message: "partition_key '\(uow.partitionKey ?? "")', estimated_duration_sec \(uow.estimatedDurationSec ?? 0)"
                + (samples.isEmpty ? "" : "; \(samples.count) sample(s) carry the key"))
    }

    // MARK: checkpoint_resume (#6)

    func checkpointResumeCheck(_ runs: SampleRuns) async -> ContractFinding {
        guard manifest.unitOfWork.declared, manifest.unitOfWork.checkpointable else {
            return ContractFinding(
                check: .checkpointResume, status: .notApplicable,
                message: "no checkpointable unit of work declared ([plugin.unit_of_work] checkpointable = true): nothing to resume")
        }
        let unwatchable = "this runtime gives ctx.progress and ctx.checkpoint to Python plugins only"
        let single: SampleRun, observation: HookObservation
        do {
            (single, observation) = try await watchedMainRun(for: .checkpointResume, runs, unwatchable: unwatchable)
        } catch { return error }
        guard observation.sinksGiven else {
            return ContractFinding(check: .checkpointResume, status: .notApplicable, message: "\(runtimeDescription): \(unwatchable)")
        }
        if let missing = missingEvidence(single, for: .checkpointResume, runs) { return missing }
        var problems = observation.unserializable
        var resumed = 0
        for (index, (sample, outcome)) in single.firstCalls.enumerated() {
            guard !Task.isCancelled else {
                return ContractFinding(check: .checkpointResume, status: .notRun, message: "interrupted (Ctrl-C) before every sample was resumed")
            }
            guard case .answered = outcome, observation.calls.indices.contains(index),
                observation.calls[index].writes.contains(where: { $0.hasPrefix("checkpoint ") })
            else { continue }
            // Crash right after the first checkpoint is saved, then resume on a fresh instance from it.
            let crash: SampleRun, resume: SampleRun
            do { crash = try await separateRun(for: .checkpointResume, [sample], observe: ObservationRequest(crashAfterCheckpoints: 0)) } catch { return error }
            guard case .failed(let error) = crash.outcomes.first, error.exceptionType == "SimulatedCrash", let state = crash.observation?.checkpoint else {
                problems.append("\(sample.hook) \(sample.input.encoded()): stopping it at its first checkpoint save did not stop it (\(Self.describe(crash.outcomes.first ?? .interrupted)))")
                continue
            }
            do { resume = try await separateRun(for: .checkpointResume, [sample], observe: ObservationRequest(checkpoint: state)) } catch { return error }
            let expected = Self.describe(outcome), got = Self.describe(resume.outcomes.first ?? .interrupted)
            if expected != got {
                problems.append("\(sample.hook) \(sample.input.encoded()): a single pass gave \(expected); crashed after checkpoint save 1 and resumed, it gave \(got)")
            }
            resumed += 1
        }
        guard problems.isEmpty else {
            return ContractFinding(
                check: .checkpointResume, status: .fail, message: problems[0],
                fix: "keep in ctx.checkpoint (as JSON) everything a resumed run needs to finish the same way, and load it at the start of the hook",
                details: Array(problems.dropFirst()))
        }
        guard resumed > 0 else {
            return ContractFinding(
                check: .checkpointResume, status: .notRun,
                message: "no sample saved a checkpoint through ctx.checkpoint: there was no point to crash at and resume from; give a sample long enough to checkpoint")
        }
        return ContractFinding(
            check: .checkpointResume, status: .pass,
            message: "\(resumed) sample(s) crashed after their first checkpoint save and resumed on a fresh instance to the single-pass result")
    }

    // MARK: idempotency (#7)

    func idempotencyCheck() async -> ContractFinding {
        switch manifest.unitOfWork.idempotencyMode {
        case .none:
            return ContractFinding(check: .idempotency, status: .notApplicable,
                                   message: "idempotency_mode = \"none\" (the default): every run may give a new result")
        case .outputHash:
            return ContractFinding(check: .idempotency, status: .notApplicable,
                                   message: "idempotency_mode = \"output_hash\": a re-run may give a new output; what it requires is determinism (#8)")
        case .inputHash:
            break
        }
        guard !samples.isEmpty else { return ContractFinding(check: .idempotency, status: .notRun, message: noSamples) }
        let run: SampleRun
        do { run = try await separateRun(for: .idempotency, samples, observe: ObservationRequest(), repeats: 2) } catch { return error }
        if let missing = run.missingEvidence(for: .idempotency) { return missing }  // a run of its own: its failures are its own
        var problems: [String] = []
        for (index, sample) in samples.enumerated() {
            let first = Self.describe(run.outcomes[2 * index]), second = Self.describe(run.outcomes[2 * index + 1])
            if first != second { problems.append("\(sample.hook) \(sample.input.encoded()): run 1 gave \(first), run 2 on the same instance gave \(second)") }
            if let calls = run.observation?.calls, calls.indices.contains(2 * index + 1), !calls[2 * index + 1].writes.isEmpty {
                problems.append("\(sample.hook) \(sample.input.encoded()): run 2 did again what run 1 did: \(calls[2 * index + 1].writes.joined(separator: "; "))")
            }
        }
        guard problems.isEmpty else {
            return ContractFinding(
                check: .idempotency, status: .fail, message: problems[0],
                fix: "with input_hash, derive the result from the input alone and skip work already done for it (look it up in ctx.checkpoint or the blob store before writing)",
                details: Array(problems.dropFirst()))
        }
        return ContractFinding(
            check: .idempotency, status: .pass,
            message: "idempotency_mode = \"input_hash\": \(samples.count) sample(s) run twice on one instance gave the same output"
                + (run.observation == nil ? " (side effects cannot be seen in this runtime)" : " and no second write"))
    }
}
