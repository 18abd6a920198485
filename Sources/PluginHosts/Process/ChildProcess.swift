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
    /// The keeper's pid: the plugin's parent, leader of the process group the plugin shares.
    let pid: pid_t
    let containment: Containment
    let command: [String]
    private let stdinFD: Int32
    private let stdoutFD: Int32
    /// Where the keeper writes the plugin's wait status when the plugin exits.
    private let statusFD: Int32
    let stderr: OutputTail

    private struct ReadState {
        /// `Data`, not `[UInt8]`: its copies run in Foundation's optimized code even in a debug build,
        /// which matters for multi-megabyte answers.
        var buffer = Data()
        var scanned = 0
        var eof = false
        /// The plugin's wait status, once it has exited.
        var exitStatus: Int32?
        var keeperReaped = false
        var statusClosed = false
        var inputClosed = false
    }

    private let readState = Mutex(ReadState())
    /// Lines longer than this are a protocol error rather than a way to exhaust memory.
    static let maxLine = 256 * 1024 * 1024

    /// Starts `command` (argv[0] is resolved against PATH unless it contains a slash) under a keeper
    /// that contains its whole process tree (see `dagstack_spawn`).
    init(command: [String], environment: [String: String], workingDirectory: String?) throws(DagstackError) {
        guard let program = command.first, !program.isEmpty else {
            throw DagstackError(.pluginLoadError, "empty command")
        }
        let path = try Self.resolve(program, in: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", cwd: workingDirectory).get()
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0], errors: [Int32] = [0, 0], status: [Int32] = [0, 0]
        guard dagstack_pipe_cloexec(&toChild) == 0, dagstack_pipe_cloexec(&fromChild) == 0, dagstack_pipe_cloexec(&errors) == 0,
            dagstack_pipe_cloexec(&status) == 0
        else {
            throw DagstackError(.pluginLoadError, "cannot create pipes: \(String(cString: strerror(errno)))")
        }
        let env = environment.map { "\($0.key)=\($0.value)" }
        let (childIn, childOut, childErr, statusOut) = (toChild[0], fromChild[1], errors[1], status[1])
        let allowNamespace: Int32 = Containment.namespaceAllowed(environment) ? 1 : 0
        let (pid, code, contained) = Spawner.shared.run { () -> (pid_t, Int32, Int32) in
            var error: Int32 = 0, containment: Int32 = 0
            let pid = Self.withCStrings([path] + Array(command.dropFirst())) { argv in
                Self.withCStrings(env) { envp in
                    dagstack_spawn(path, argv, envp, workingDirectory, childIn, childOut, childErr, statusOut, allowNamespace, &containment, &error)
                }
            }
            return (pid, error, containment)
        }
        close(toChild[0])
        close(fromChild[1])
        close(errors[1])
        close(status[1])
        guard pid > 0 else {
            close(toChild[1])
            close(fromChild[0])
            close(errors[0])
            close(status[0])
            throw DagstackError(.pluginLoadError, "cannot start \(path): \(String(cString: strerror(code)))")
        }
        _ = fcntl(status[0], F_SETFL, O_NONBLOCK)
        self.pid = pid
        self.command = command
        containment = contained == DAGSTACK_CONTAINED_NAMESPACE ? .namespace : .subreaper
        stdinFD = toChild[1]
        stdoutFD = fromChild[0]
        statusFD = status[0]
        stderr = OutputTail(fd: errors[0])
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for p in pointers { free(p) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// The executable `program` names: a path (relative ones against `cwd`), or a bare name looked up
    /// in `path`. The error says whether nothing is there or it cannot be executed.
    static func resolve(_ program: String, in path: String, cwd: String?) -> Result<String, DagstackError> {
        let fm = FileManager.default
        let candidates: [String]
        if program.contains("/") {
            let base = cwd.map { $0.hasPrefix("/") ? $0 : fm.currentDirectoryPath + "/" + $0 } ?? fm.currentDirectoryPath
            candidates = [program.hasPrefix("/") ? program : base + "/" + program]
        } else {
            candidates = path.split(separator: ":").map { "\($0)/\(program)" }
        }
        var notExecutable: String?
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: candidate, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue && access(candidate, X_OK) == 0 { return .success(candidate) }
            notExecutable = notExecutable ?? candidate
        }
        if let notExecutable {
            return .failure(DagstackError(
                .pluginLoadError,
                "command is not executable: \(notExecutable) (\(Self.isDirectory(notExecutable) ? "a directory" : "no execute permission; chmod +x it or name its interpreter first"))"))
        }
        let looked = program.contains("/") ? candidates[0] : "PATH"
        return .failure(DagstackError(.pluginLoadError, "command not found: \(program) (looked in \(looked))"))
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
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

    /// Whether the plugin is still running. Its exit comes from the keeper (which stays, holding
    /// whatever the plugin left running, until `terminate`); a keeper that died says it for both.
    var isRunning: Bool {
        readState.withLock { s in
            if s.exitStatus != nil { return false }
            if let status = readStatus() {
                s.exitStatus = status
                return false
            }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            guard result == pid else { return result == 0 }
            s.keeperReaped = true
            s.exitStatus = readStatus() ?? status
            return false
        }
    }

    /// The plugin's wait status from the keeper, if it has been written.
    private func readStatus() -> Int32? {
        var status: Int32 = 0
        return read(statusFD, &status, MemoryLayout<Int32>.size) == MemoryLayout<Int32>.size ? status : nil
    }

    /// The pid of the plugin's own process (the keeper's child), while it runs.
    var programPID: pid_t? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { pid_t($0) }
    }

    /// Waits (bounded) for a child that closed its output to finish exiting, so its status is known.
    func waitForExit(seconds: Double) {
        let until = ContinuousClock.now + TimeLimit.duration(seconds)
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

    /// Stops the plugin and everything it started: SIGTERM to its process group, up to `grace`
    /// seconds to exit, then the keeper kills the whole tree, wherever it went (another process
    /// group, another session). Always reaps the keeper. Safe to call more than once.
    func terminate(grace: Double) {
        closeInput()
        if isRunning {
            kill(-pid, SIGTERM)
            // Checked often: a child that honours SIGTERM is gone in about a millisecond, and the
            // console's exit waits for this.
            let until = ContinuousClock.now + TimeLimit.duration(grace)
            while isRunning && ContinuousClock.now < until { usleep(500) }
        }
        let reaped = readState.withLock { $0.keeperReaped }
        if !reaped {
            kill(pid, SIGUSR1)
            var status: Int32 = 0
            let until = ContinuousClock.now + .seconds(2)
            var done = false
            while !done && ContinuousClock.now < until {
                done = waitpid(pid, &status, WNOHANG) == pid
                if !done { usleep(500) }
            }
            if !done {
                // A keeper that cannot be asked: the group, then the keeper itself, by force — and
                // still a bounded wait: the console's exit must never hang on a child.
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                let until = ContinuousClock.now + .seconds(5)
                while !done && ContinuousClock.now < until {
                    done = waitpid(pid, &status, WNOHANG) == pid
                    if !done { usleep(1000) }
                }
            }
            readState.withLock { s in
                s.keeperReaped = true
                if s.exitStatus == nil { s.exitStatus = readStatus() ?? status }
            }
        }
        readState.withLock { s in
            if !s.eof { close(stdoutFD); s.eof = true }
            if !s.statusClosed { close(statusFD); s.statusClosed = true }
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
