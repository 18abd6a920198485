import Dispatch
import Foundation
import Synchronization

/// A value made on a thread of its own (a process being started) while the caller goes on; whoever
/// needs it waits until it is made. Not on `BlockingIO`'s queue: dispatch gives a queue about one
/// thread per core, and work blocked on a starting process there delays the loading it should speed up.
final class Pending<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    private let made = DispatchSemaphore(value: 0)

    init(_ make: @escaping @Sendable () -> Value?) {
        Thread.detachNewThread { [self] in
            let result = make()
            value.withLock { $0 = result }
            made.signal()
        }
    }

    /// Waits until the value is made, then takes it: later calls get nil.
    func take() -> Value? {
        waitUntilMade()
        return value.withLock { v in
            defer { v = nil }
            return v
        }
    }

    /// Waits until the value is made, then reads it without taking it.
    func peek<T>(_ body: (Value?) -> T) -> T {
        waitUntilMade()
        return value.withLock { body($0) }
    }

    private func waitUntilMade() {
        made.wait()
        made.signal()
    }
}
