import CProcess
import Foundation
import Synchronization

/// Starts every child process from one thread that lives as long as the process. The children's
/// parent-death signal fires when the *thread* that forked them exits, so forking from a Swift
/// concurrency worker (which the runtime may retire when idle) would kill children at random.
final class Spawner: Sendable {
    static let shared = Spawner()

    private struct Job: @unchecked Sendable {
        let body: () -> Void
    }

    private let jobs = Mutex<[Job]>([])
    private let wakeUp = DispatchSemaphore(value: 0)

    private init() {
        // Writing to a child that died must be an error, not a signal that kills the console.
        signal(SIGPIPE, SIG_IGN)
        let thread = Thread { [self] in
            while true {
                wakeUp.wait()
                let next = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                next?.body()
            }
        }
        thread.name = "dagstack-spawner"
        thread.start()
    }

    /// Runs `body` on the spawner thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<T?>(nil)
        jobs.withLock { $0.append(Job { result.withLock { $0 = body() }; done.signal() }) }
        wakeUp.signal()
        done.wait()
        return result.withLock { $0! }
    }
}
