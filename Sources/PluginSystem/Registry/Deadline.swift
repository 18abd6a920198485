import Synchronization

/// Raised by `withDeadline` when the work did not finish in time.
struct DeadlineExceeded: Error {}

/// The one continuation that either the work, the timer or a cancellation resumes — whichever
/// comes first; the others find it gone.
private final class DeadlineRace<T: Sendable>: Sendable {
    private let slot = Mutex<CheckedContinuation<T, any Error>?>(nil)
    private let tasks = Mutex<[Task<Void, Never>]>([])

    func arm(_ continuation: CheckedContinuation<T, any Error>) { slot.withLock { $0 = continuation } }

    func track(_ started: [Task<Void, Never>]) { tasks.withLock { $0 = started } }

    func finish(_ result: Result<T, any Error>) {
        let continuation = slot.withLock { c -> CheckedContinuation<T, any Error>? in
            defer { c = nil }
            return c
        }
        guard let continuation else { return }
        continuation.resume(with: result)
        for task in tasks.withLock({ $0 }) { task.cancel() }
    }
}

/// Runs `work` but returns when `seconds` pass, even if `work` never cooperates with cancellation
/// (a plugin stuck in a blocking call): a task group would wait for it, this does not. The work is
/// cancelled and left to finish on its own; the caller decides what to terminate.
func withDeadline<T: Sendable>(
    seconds: Double, _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.arm(continuation)
            let worker = Task {
                do { race.finish(.success(try await work())) } catch { race.finish(.failure(error)) }
            }
            let timer = Task {
                try? await Task.sleep(for: TimeLimit.duration(seconds))
                if !Task.isCancelled { race.finish(.failure(DeadlineExceeded())) }
            }
            race.track([worker, timer])
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}
