import CProcess
import Foundation
import Synchronization

/// Turns SIGINT, SIGTERM and SIGHUP into actions: Ctrl-C cancels the running command (the prompt's
/// read is interrupted by the signal itself); SIGTERM/SIGHUP ask the console to tear down and leave.
/// The C handler only writes the signal number to a pipe; this thread does the rest.
final class SignalWatcher: Sendable {
    private let running = Mutex<Task<Void, Never>?>(nil)
    /// How many times Ctrl-C came: a loop of commands (watch) that must stop at the first one, even
    /// when it came during a command and only cancelled that command.
    private let interrupts = Atomic<Int>(0)
    private let terminationSignal = Mutex<Int32?>(nil)
    private let onForcedExit: @Sendable () -> Void

    /// - Parameter onForcedExit: called when a termination request is not honoured within a grace
    ///   period (a command that ignores cancellation): the console must restore the terminal and exit.
    init(onForcedExit: @escaping @Sendable () -> Void) {
        self.onForcedExit = onForcedExit
        var fds: [Int32] = [0, 0]
        _ = dagstack_pipe_cloexec(&fds)
        let readEnd = fds[0]
        _ = dagstack_install_signal_pipe(fds[1])
        let thread = Thread { [self] in
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                guard count == 1 else { return }
                handle(Int32(byte))
            }
        }
        thread.name = "dagstack-signals"
        thread.start()
    }

    private func handle(_ signal: Int32) {
        if signal == SIGINT {
            interrupts.add(1, ordering: .relaxed)
            running.withLock { $0?.cancel() }
            return
        }
        let first = terminationSignal.withLock { current -> Bool in
            defer { if current == nil { current = signal } }
            return current == nil
        }
        running.withLock { $0?.cancel() }
        guard first else { return }
        let forced = onForcedExit
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 10)
            forced()
        }
    }

    /// How many Ctrl-Cs came so far (compare two readings to know whether one came between them).
    var interruptCount: Int { interrupts.load(ordering: .relaxed) }

    /// The signal that asked the console to leave, if one did (read from the handler's own flag,
    /// so it is known as soon as the signal has interrupted a read).
    var termination: Int32? {
        let signal = dagstack_termination_signal()
        return signal != 0 ? signal : terminationSignal.withLock { $0 }
    }

    /// Runs `work` as the current command: Ctrl-C cancels it. Blocks until it is done.
    func runCancellable<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task.detached {
            let value = await work()
            result.withLock { $0 = value }
            done.signal()
        }
        running.withLock { $0 = task }
        if termination != nil { task.cancel() }
        done.wait()
        running.withLock { $0 = nil }
        return result.withLock { $0! }
    }
}
