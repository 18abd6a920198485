import CProcess
import Foundation
import PluginSystem
import Synchronization

/// Why talking to a child failed.
enum ChildIOError: Error, Equatable {
    case timedOut
    case cancelled
    /// The child closed its stdout (it exited or crashed).
    case closed
    case tooLarge
}

/// A long-lived child process spoken to over pipes: newline-framed writes to its stdin, line reads
/// from its stdout with a deadline and Ctrl-C cancellation, stderr collected on the side. It runs
/// in its own process group (so teardown reaches its own children too) and dies with the console.
final class ChildProcess: Sendable {
    let pid: pid_t
    let command: [String]
    private let stdinFD: Int32
    private let stdoutFD: Int32
    let stderr: OutputTail

    private struct ReadState {
        /// `Data`, not `[UInt8]`: its copies run in Foundation's optimized code even in a debug build,
        /// which matters for multi-megabyte answers.
        var buffer = Data()
        var scanned = 0
        var eof = false
        var exitStatus: Int32?
        var inputClosed = false
    }

    private let readState = Mutex(ReadState())
    /// Lines longer than this are a protocol error rather than a way to exhaust memory.
    static let maxLine = 256 * 1024 * 1024

    /// Starts `command` (argv[0] is resolved against PATH unless it contains a slash).
    init(command: [String], environment: [String: String], workingDirectory: String?) throws(DagstackError) {
        guard let program = command.first, !program.isEmpty else {
            throw DagstackError(.pluginLoadError, "empty command")
        }
        guard let path = Self.resolve(program, in: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", cwd: workingDirectory) else {
            throw DagstackError(.pluginLoadError, "command not found: \(program) (looked in \(workingDirectory ?? ".") and PATH)")
        }
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0], errors: [Int32] = [0, 0]
        guard dagstack_pipe_cloexec(&toChild) == 0, dagstack_pipe_cloexec(&fromChild) == 0, dagstack_pipe_cloexec(&errors) == 0 else {
            throw DagstackError(.pluginLoadError, "cannot create pipes: \(String(cString: strerror(errno)))")
        }
        let env = environment.map { "\($0.key)=\($0.value)" }
        let (childIn, childOut, childErr) = (toChild[0], fromChild[1], errors[1])
        let (pid, code) = Spawner.shared.run { () -> (pid_t, Int32) in
            var error: Int32 = 0
            let pid = Self.withCStrings([path] + Array(command.dropFirst())) { argv in
                Self.withCStrings(env) { envp in
                    dagstack_spawn(path, argv, envp, workingDirectory, childIn, childOut, childErr, &error)
                }
            }
            return (pid, error)
        }
        close(toChild[0])
        close(fromChild[1])
        close(errors[1])
        guard pid > 0 else {
            close(toChild[1])
            close(fromChild[0])
            close(errors[0])
            throw DagstackError(.pluginLoadError, "cannot start \(path): \(String(cString: strerror(code)))")
        }
        self.pid = pid
        self.command = command
        stdinFD = toChild[1]
        stdoutFD = fromChild[0]
        stderr = OutputTail(fd: errors[0])
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for p in pointers { free(p) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    static func resolve(_ program: String, in path: String, cwd: String?) -> String? {
        let fm = FileManager.default
        if program.contains("/") {
            let full = program.hasPrefix("/") ? program : (cwd ?? fm.currentDirectoryPath) + "/" + program
            return fm.isExecutableFile(atPath: full) ? full : nil
        }
        for dir in path.split(separator: ":") where fm.isExecutableFile(atPath: "\(dir)/\(program)") {
            return "\(dir)/\(program)"
        }
        return nil
    }

    /// Writes all of `bytes` to the child's stdin.
    func write(_ bytes: [UInt8]) throws(ChildIOError) {
        guard !readState.withLock({ $0.inputClosed }) else { throw .closed }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(stdinFD, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .closed
            }
            offset += written
        }
    }

    /// The next line from the child's stdout (without the newline), nil at end of file. Gives up at
    /// `deadline` and when `cancellation` is set; polls in short slices so both are noticed. With
    /// `spin`, looks for the line without sleeping first (see `spin`).
    func readLine(deadline: ContinuousClock.Instant?, cancellation: CancellationFlag? = nil, spin: Bool = true) throws(ChildIOError) -> Data? {
        if spin, let line = try spinForLine(until: min(ContinuousClock.now + Self.spin, deadline ?? .now + Self.spin)) { return line }
        while true {
            if let ready = takeLine() { return ready }
            if cancellation?.isCancelled ?? false { throw .cancelled }
            var sliceMs: Int32 = 100
            if let deadline {
                let left = deadline - ContinuousClock.now
                if left <= .zero { throw .timedOut }
                let (seconds, attoseconds) = left.components
                sliceMs = Int32(min(100, seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1))
            }
            var pfd = pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)
            let polled = poll(&pfd, 1, sliceMs)
            if polled < 0 && errno != EINTR { throw .closed }
            guard polled > 0 else {
                // A child of the plugin may hold the pipe open after the plugin itself died: end of
                // file would never come, so the plugin's own exit counts as the end of its output.
                if !isRunning { readState.withLock { $0.eof = true } }
                continue
            }
            try fill()
        }
    }

    /// How long a read checks for an answer without sleeping before it blocks in `poll`. Waking a
    /// thread that sleeps in `poll` costs an inter-processor interrupt, which on a virtual machine
    /// is tens of microseconds — more than a fast plugin takes to answer — so a read that is likely
    /// to be answered soon keeps its processor awake for a moment instead.
    static let spin = Duration.microseconds(250)

    /// A line that arrives before `until`, checked for without sleeping; nil when none has.
    private func spinForLine(until: ContinuousClock.Instant) throws(ChildIOError) -> Data?? {
        repeat {
            if let ready = takeLine() { return ready }
            var pfd = pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 0) > 0 {
                try fill()
                continue
            }
            // Lets the child run first should it be waiting for this processor.
            sched_yield()
        } while ContinuousClock.now < until
        return nil
    }

    /// A complete line from the buffer (or, at end of file, what is left), if there is one.
    private func takeLine() -> Data?? {
        readState.withLock { s in
            let start = s.scanned
            let found: Int? = s.buffer.withUnsafeBytes { bytes in
                guard start < bytes.count, let base = bytes.baseAddress, let hit = memchr(base + start, 0x0A, bytes.count - start)
                else { return nil }
                return base.distance(to: UnsafeRawPointer(hit))
            }
            if let newline = found {
                let line = s.buffer.prefix(newline)
                s.buffer = s.buffer.dropFirst(newline + 1)
                s.buffer = Data(s.buffer)  // rebase indices to 0
                s.scanned = 0
                return .some(Data(line))
            }
            s.scanned = s.buffer.count
            if s.eof {
                guard !s.buffer.isEmpty else { return .some(nil) }
                defer { s.buffer = Data(); s.scanned = 0 }
                return .some(s.buffer)
            }
            return nil
        }
    }

    /// Reads what the child has written and appends it to the buffer.
    private func fill() throws(ChildIOError) {
        let chunk = 256 * 1024
        let got: Int = withUnsafeTemporaryAllocation(byteCount: chunk, alignment: 1) { raw in
            let count = read(stdoutFD, raw.baseAddress, chunk)
            guard count >= 0 else { return count }
            readState.withLock { s in
                if count == 0 { s.eof = true } else { s.buffer.append(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count) }
            }
            return count
        }
        if got < 0 && errno != EINTR && errno != EAGAIN { throw .closed }
        if readState.withLock({ $0.buffer.count > Self.maxLine }) { throw .tooLarge }
    }

    /// Whether the child is still running (reaps it when it has exited).
    var isRunning: Bool {
        readState.withLock { s in
            if s.exitStatus != nil { return false }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { s.exitStatus = status; return false }
            return result == 0
        }
    }

    /// Waits (bounded) for a child that closed its output to finish exiting, so its status is known.
    func waitForExit(seconds: Double) {
        let until = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while isRunning && ContinuousClock.now < until { usleep(500) }
    }

    /// How the child ended, in words: "exited with status 3", "killed by signal 11 (SIGSEGV)".
    var exitDescription: String? {
        guard !isRunning, let status = readState.withLock({ $0.exitStatus }) else { return nil }
        return Self.describe(status)
    }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        if signal == 0 { return "exited with status \((status >> 8) & 0xFF)" }
        let name = strsignal(signal).map { String(cString: $0) } ?? "signal \(signal)"
        return "killed by signal \(signal) (\(name))"
    }

    /// Stops the child and everything in its process group: SIGTERM, up to `grace` seconds to exit,
    /// then SIGKILL. Always reaps it. Safe to call more than once.
    func terminate(grace: Double) {
        closeInput()
        if isRunning {
            kill(-pid, SIGTERM)
            // Checked often: a child that honours SIGTERM is gone in about a millisecond, and the
            // console's exit waits for this.
            let until = ContinuousClock.now + .milliseconds(Int(grace * 1000))
            while isRunning && ContinuousClock.now < until { usleep(500) }
        }
        // The group may outlive its leader (a plugin's own children): kill whatever is left.
        kill(-pid, SIGKILL)
        if isRunning {
            readState.withLock { s in
                var status: Int32 = 0
                if waitpid(pid, &status, 0) == pid { s.exitStatus = status }
            }
        }
        readState.withLock { s in
            if !s.eof { close(stdoutFD); s.eof = true }
        }
    }

    /// Closes stdin so a well-behaved child sees end of input.
    func closeInput() {
        readState.withLock { s in
            guard !s.inputClosed else { return }
            s.inputClosed = true
            close(stdinFD)
        }
    }
}
