import Dispatch
import Synchronization

/// Runs async work from the console's synchronous main thread (which must stay the one reading the
/// terminal, so signals interrupt its reads) and waits for the result.
func waitFor<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
    let result = Mutex<T?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        let value = await work()
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return result.withLock { $0! }
}
