import CBenchPTY
import Foundation

/// The console in a real pseudo-terminal, as a person runs it: what it draws is read from the
/// terminal's master side, keys are typed into it, and the benchmark waits for text to appear.
final class TerminalConsole {
    let pid: pid_t
    private let master: Int32
    /// Every byte the console wrote so far.
    private(set) var output: [UInt8] = []
    private var exited = false

    /// Starts `console` with `arguments` in `directory`; its history goes to a file of its own.
    init(console: String, arguments: [String], directory: String, history: String) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm-256color"
        environment["DAGSTACK_CONSOLE_HISTORY"] = history
        environment.removeValue(forKey: "NO_COLOR")
        let argv = ([console] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var master: Int32 = -1
        let pid = bench_spawn_in_pty(console, argv, envp, directory, 50, 160, &master)
        guard pid > 0 else { throw BenchError("cannot start \(console) in a pseudo-terminal: \(String(cString: strerror(errno)))") }
        self.pid = pid
        self.master = master
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    }

    /// A console the benchmark did not see exit (a figure failed half-way) is stopped as Ctrl-C at a
    /// terminal would not: SIGTERM, which it answers by tearing its plugins down.
    deinit {
        if !exited {
            kill(pid, SIGTERM)
            waitForExit(seconds: 10)
        }
        close(master)
    }

    /// Reads what the console wrote, waiting up to `timeout` seconds for something to arrive; false
    /// when the terminal closed (the console exited).
    @discardableResult
    func pump(timeout: Double) -> Bool {
        var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(max(0, timeout * 1000))) > 0 else { return true }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if n > 0 { output += buffer[0..<n]; continue }
            return !(n == 0 || (n < 0 && errno == EIO))
        }
    }

    /// Waits until `text` appears in what the console wrote from byte `offset` on; returns the offset
    /// just past it. Throws after `seconds`, or when the console exits first.
    @discardableResult
    func waitFor(_ text: String, from offset: Int, seconds: Double = 60) throws -> Int {
        let needle = Array(text.utf8)
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var searched = offset
        while true {
            if let end = Self.find(needle, in: output, from: searched) { return end }
            searched = max(offset, output.count - needle.count + 1)
            guard ContinuousClock.now < deadline else {
                throw BenchError("'\(text)' did not appear within \(seconds) s; the console wrote: \(tail())")
            }
            guard pump(timeout: 0.5) else {
                if let end = Self.find(needle, in: output, from: searched) { return end }
                throw BenchError("the console exited before '\(text)' appeared; it wrote: \(tail())")
            }
        }
    }

    /// How many times `text` appears in everything the console wrote.
    func count(_ text: String) -> Int {
        let needle = Array(text.utf8)
        var (found, offset) = (0, 0)
        while let end = Self.find(needle, in: output, from: offset) { (found, offset) = (found + 1, end) }
        return found
    }

    func type(_ text: String) {
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
            if n > 0 { written += n } else if errno != EAGAIN && errno != EINTR { return } else { pump(timeout: 0.01) }
        }
    }

    /// Waits up to `seconds` for the console to exit (reading what it writes meanwhile, so it never
    /// blocks on a full terminal), then stops it with SIGKILL; returns its exit status.
    @discardableResult
    func waitForExit(seconds: Double = 20) -> Int32 {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { exited = true; return (status >> 8) & 0xFF }
            pump(timeout: 0.02)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        exited = true
        return -1
    }

    /// The last lines the console wrote, for an error message.
    func tail(_ count: Int = 1500) -> String { String(decoding: output.suffix(count), as: UTF8.self) }

    func text(from offset: Int) -> String { String(decoding: output[min(offset, output.count)...], as: UTF8.self) }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from offset: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, offset <= haystack.count - needle.count else { return nil }
        var i = max(0, offset)
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i + needle.count }
            i += 1
        }
        return nil
    }
}
