import Dispatch
import Synchronization

/// Set when the task waiting for blocking work is cancelled (Ctrl-C), for that work to notice.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isCancelled: Bool { flag.load(ordering: .relaxed) }
    func cancel() { flag.store(true, ordering: .relaxed) }
}

/// Runs blocking pipe I/O on threads of its own rather than on Swift's cooperative pool, which has
/// one thread per core: a plugin that takes its time must not stall timers and other tasks. The
/// calling task's cancellation reaches the work through a `CancellationFlag`.
enum BlockingIO {
    static let queue = DispatchQueue(label: "dagstack.plugin-io", attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable (CancellationFlag) -> T) async -> T {
        let flag = CancellationFlag()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                queue.async { continuation.resume(returning: work(flag)) }
            }
        } onCancel: {
            flag.cancel()
        }
    }
}
