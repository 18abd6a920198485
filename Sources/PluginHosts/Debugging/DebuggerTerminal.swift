import CProcess
import Foundation
import PluginSystem
import Synchronization

/// Whether plugin code may borrow the console's terminal for a debugger (pdb), and if not, why.
public enum DebuggerAccess: Sendable {
    case terminal(DebuggerTerminal)
    /// Why not, said to the plugin whose breakpoint fails: "the console runs commands from -c".
    case unavailable(String)

    /// A run nobody types at: a script or a pipe, `-c`, `--json`, `--replay`. One reason for all of
    /// them, so a recording made one way replays the same another way.
    public static let noTerminal = DebuggerAccess.unavailable("this run has no terminal for a debugger (-c, a script or a pipe, --json, a replay)")

    /// A stdio plugin asking for the terminal (`debugger.open`): its stdin and stdout are the
    /// protocol, and the console lends its terminal to the Python host's pdb alone.
    static let stdioPlugin = DebuggerAccess.unavailable(
        "the console lends its terminal to pdb in Python plugins only: a stdio plugin's stdin and stdout are the protocol; attach your language's own debugger to the pid `show PLUGIN` prints (docs/console.md, \"Debugging inside a plugin\")")

    public var terminal: DebuggerTerminal? {
        if case .terminal(let terminal) = self { return terminal }
        return nil
    }
}

/// The console's terminal, lent to a debugger in plugin code (pdb in the Python host) while that
/// code runs: a pseudo-terminal of its own, whose slave the plugin's process opens (never the
/// protocol pipes), and a thread relaying the user's keys to it and what it writes back, with the
/// user's terminal in raw mode. Ctrl-C becomes SIGINT for the plugin's process (the pseudo-terminal
/// is not its controlling terminal, so the kernel would not send it); Ctrl-\ stays the console's own
/// termination request. Closing drains what the debugger wrote last and puts the terminal back as
/// it was, for the console's line editor.
public final class DebuggerTerminal: Sendable {
    let input: Int32
    let output: Int32
    /// Where pdb keeps its readline history.
    public let historyFile: String?
    private let session = Mutex<TerminalRelay?>(nil)
    /// Set when the console is stopping: no new session starts.
    private let refusal = Mutex<String?>(nil)
    /// Told, with true, just before the terminal is lent, and with false once it is back.
    private let listeners = Mutex<[@Sendable (Bool) -> Void]>([])

    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, historyFile: String? = nil) {
        self.input = input
        self.output = output
        self.historyFile = historyFile
    }

    /// Whether a debugger has the terminal now.
    public var isLent: Bool { session.withLock { $0 != nil } }

    /// Calls `listener` with true just before a debugger gets the terminal and with false once the
    /// console has it back: whatever else draws on the terminal (the live progress line) steps aside.
    public func onLending(_ listener: @escaping @Sendable (_ lent: Bool) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    private func tell(_ lent: Bool) {
        for listener in listeners.withLock({ $0 }) { listener(lent) }
    }

    /// From now on, a debugger asking for the terminal is refused with `reason`.
    public func refuse(_ reason: String) { refusal.withLock { $0 = reason } }

    /// Lends the terminal to `pid` on behalf of `owner` (the channel that asked): returns the path of
    /// the pseudo-terminal's slave, for the plugin's process to open.
    func lend(owner: ObjectIdentifier, pid: pid_t?) throws(PeerError) -> String {
        if let reason = refusal.withLock({ $0 }) { throw PeerError(message: reason, type: "DebuggerUnavailable") }
        return try session.withLock { current throws(PeerError) -> String in
            if current != nil { throw PeerError(message: "another debugger has the terminal", type: "DebuggerUnavailable") }
            var saved = termios()
            guard tcgetattr(input, &saved) == 0 else {
                throw PeerError(message: "the console's input is no longer a terminal", type: "DebuggerUnavailable")
            }
            var path = [CChar](repeating: 0, count: 256)
            let master = dagstack_openpty(&path, path.count)
            guard master >= 0 else {
                throw PeerError(message: "no pseudo-terminal could be opened: \(String(cString: strerror(errno)))", type: "DebuggerUnavailable")
            }
            let slavePath = String(decoding: path.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // The console holds the slave open too, so the master never reads end of file before the
            // debugger has opened it, nor after it closed it while a child of the plugin still writes.
            let slave = open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
            var wake: [Int32] = [0, 0]
            guard slave >= 0, dagstack_pipe_cloexec(&wake) == 0 else {
                let problem = String(cString: strerror(errno))
                close(master)
                if slave >= 0 { close(slave) }
                throw PeerError(message: "the pseudo-terminal could not be set up: \(problem)", type: "DebuggerUnavailable")
            }
            tell(true)
            // The debugger's terminal starts as the user's was at the console's prompt — echo on,
            // though the console holds it off while a command runs (what is typed ahead waits for
            // the prompt); the console's own settings come back as they were when the session ends.
            var settings = saved
            settings.c_lflag |= tcflag_t(ECHO)
            tcsetattr(master, TCSANOW, &settings)
            _ = dagstack_copy_window_size(output, master)
            _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
            var raw = saved
            cfmakeraw(&raw)
            tcsetattr(input, TCSANOW, &raw)
            let relay = TerminalRelay(
                owner: owner, input: input, output: output, master: master, slave: slave, wake: (wake[0], wake[1]), pid: pid,
                saved: TerminalSettings(saved))
            relay.start()
            current = relay
            return slavePath
        }
    }

    /// Ends the session `owner` opened (any session with nil): the debugger is done with the terminal.
    func takeBack(owner: ObjectIdentifier?) {
        let relay = session.withLock { current -> TerminalRelay? in
            guard let relay = current, owner == nil || relay.owner == owner else { return nil }
            current = nil
            return relay
        }
        guard let relay else { return }
        relay.stop()
        tell(false)
    }
}

/// A C struct copied once and only read: safe to share.
struct TerminalSettings: @unchecked Sendable {
    var value: termios
    init(_ value: termios) { self.value = value }
}

/// One debugging session's relay between the user's terminal and the pseudo-terminal, on a thread
/// of its own.
final class TerminalRelay: @unchecked Sendable {
    let owner: ObjectIdentifier
    private let input: Int32, output: Int32, master: Int32, slave: Int32
    private let wake: (read: Int32, write: Int32)
    private let pid: pid_t?
    private let saved: TerminalSettings
    private let finished = DispatchSemaphore(value: 0)

    init(
        owner: ObjectIdentifier, input: Int32, output: Int32, master: Int32, slave: Int32, wake: (Int32, Int32), pid: pid_t?,
        saved: TerminalSettings
    ) {
        self.owner = owner
        self.input = input
        self.output = output
        self.master = master
        self.slave = slave
        self.wake = wake
        self.pid = pid
        self.saved = saved
    }

    func start() {
        if let pid { kill(pid, SIGWINCH) }  // readline, if it is already loaded, learns the size
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "dagstack-debugger-terminal"
        thread.start()
    }

    /// Stops relaying, shows what the debugger wrote last, and gives the user's terminal back.
    func stop() {
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        finished.wait()
        close(slave)
        // What the plugin's process wrote before it said it was done: until the pseudo-terminal has
        // no slave open any more (end of file), or nothing more comes for a moment.
        var buffer = [UInt8](repeating: 0, count: 65536)
        let until = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < until {
            var ready = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 50) > 0 else { break }
            let count = read(master, &buffer, buffer.count)
            guard count > 0 else { break }
            writeAll(output, buffer[0..<count])
        }
        close(master)
        close(wake.read)
        close(wake.write)
        var settings = saved.value
        tcsetattr(input, TCSADRAIN, &settings)
    }

    private func run() {
        var toDebugger: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var inputOpen = true
        while true {
            var fds = [
                pollfd(fd: inputOpen ? input : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: master, events: Int16(POLLIN) | (toDebugger.isEmpty ? 0 : Int16(POLLOUT)), revents: 0),
                pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0),
            ]
            let polled = poll(&fds, 3, 250)
            if polled < 0 && errno != EINTR { return }
            if fds[2].revents != 0 { return }
            if fds[1].revents & Int16(POLLIN) != 0 {
                let count = read(master, &buffer, buffer.count)
                if count > 0 { writeAll(output, buffer[0..<count]) }
            }
            if fds[0].revents != 0 {
                let count = read(input, &buffer, buffer.count)
                if count > 0 {
                    toDebugger += keys(buffer[0..<count])
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    inputOpen = false  // the terminal went away: the console gets SIGHUP
                }
            }
            if !toDebugger.isEmpty {
                let written = toDebugger.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
                if written > 0 { toDebugger.removeFirst(written) }
                // Keys typed faster than the debugger reads: at most 64 KiB wait, as a terminal's buffer.
                if toDebugger.count > 65536 { toDebugger.removeFirst(toDebugger.count - 65536) }
            }
            if dagstack_copy_window_size(output, master) == 1, let pid { kill(pid, SIGWINCH) }
        }
    }

    /// The bytes typed, for the debugger: the keys its terminal settings make signals are sent as
    /// those signals (the kernel only does so for a controlling terminal, which this is not).
    private func keys(_ typed: ArraySlice<UInt8>) -> [UInt8] {
        var interrupt: UInt8 = 0, quit: UInt8 = 0, suspend: UInt8 = 0
        guard dagstack_signal_keys(master, &interrupt, &quit, &suspend) == 1 else { return Array(typed) }
        var passed: [UInt8] = []
        for byte in typed {
            switch byte {
            case interrupt where interrupt != 0:
                if let pid { kill(pid, SIGINT) }
                passed.removeAll()
            case quit where quit != 0:
                // Ctrl-\ ends the console, as it does at its own prompt.
                kill(getpid(), SIGQUIT)
            case suspend where suspend != 0:
                continue
            default:
                passed.append(byte)
            }
        }
        return passed
    }

    private func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) {
        var rest = bytes
        while !rest.isEmpty {
            let written = rest.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            rest = rest.dropFirst(written)
        }
    }
}
