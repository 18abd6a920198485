import CTestPTY
import Foundation
import TestSupport

/// The built console, next to the test binary.
let consoleBinary: String = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dagstack-console").path
    if FileManager.default.isExecutableFile(atPath: beside) { return beside }
    return packageRoot + "/.build/debug/dagstack-console"
}()

/// A small model of what a terminal shows: enough of the control sequences libedit and the console
/// send (CR, LF, BS, erase-line, cursor moves, colours ignored) to assert on lines, not raw bytes.
struct Screen {
    var lines: [[Character]] = [[]]
    var row = 0, column = 0
    /// An escape sequence cut off at the end of the last read.
    var pending = ""

    mutating func feed(_ text: String) {
        var chars = Array(pending + text)
        pending = ""
        var i = 0
        func put(_ c: Character) {
            while lines[row].count < column { lines[row].append(" ") }
            if column < lines[row].count { lines[row][column] = c } else { lines[row].append(c) }
            column += 1
        }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "\r": column = 0
            case "\n", "\r\n":
                if c == "\r\n" { column = 0 }
                row += 1
                if row == lines.count { lines.append([]) }
            case "\u{08}": column = max(0, column - 1)
            case "\u{07}": break
            case "\u{1B}":
                // CSI: ESC [ params final
                guard i + 1 < chars.count else { pending = String(chars[i...]); return }
                guard chars[i + 1] == "[" else { i += 2; continue }
                var j = i + 2
                var params = ""
                while j < chars.count, !(chars[j].isLetter || chars[j] == "@" || chars[j] == "~") { params.append(chars[j]); j += 1 }
                guard j < chars.count else { pending = String(chars[i...]); return }
                let n = Int(params.split(separator: ";").first ?? "") ?? 1
                switch chars[j] {
                case "K": if column < lines[row].count { lines[row].removeSubrange(column...) }
                case "C": column += n
                case "D": column = max(0, column - n)
                case "A": row = max(0, row - n)
                case "B": row += n; while row >= lines.count { lines.append([]) }
                case "G": column = max(0, n - 1)
                case "J": if params.hasPrefix("2") { lines = [[]]; row = 0; column = 0 } else if column < lines[row].count { lines[row].removeSubrange(column...); lines.removeSubrange((row + 1)...) }
                case "P": if column < lines[row].count { lines[row].removeSubrange(column..<min(lines[row].count, column + n)) }
                case "@": lines[row].insert(contentsOf: Array(repeating: " ", count: n), at: min(column, lines[row].count))
                default: break
                }
                i = j
            default: put(c)
            }
            i += 1
        }
        chars.removeAll()
    }

    var text: [String] { lines.map { String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) } }
}

/// The console running in a pseudo-terminal, typed at as a person would.
final class TerminalSession: @unchecked Sendable {
    let pid: pid_t
    private let master: Int32
    private let slave: Int32
    private(set) var screen = Screen()
    private(set) var raw = ""
    /// The start of a UTF-8 character cut off at the end of the last read.
    private var partial: [UInt8] = []

    /// `color`: leave NO_COLOR unset, so the console may colour its output.
    init(arguments: [String], environment: [String: String] = [:], directory: String = packageRoot, color: Bool = false) throws {
        var env = ProcessInfo.processInfo.environment.merging(["TERM": "xterm", "NO_COLOR": "1"]) { $1 }
        if color { env.removeValue(forKey: "NO_COLOR") }
        for (k, v) in environment { env[k] = v }
        let argv = [consoleBinary] + arguments
        var masterFD: Int32 = -1, slaveFD: Int32 = -1
        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cArgv.forEach { free($0) }; cEnv.forEach { free($0) } }
        pid = dagstack_spawn_in_pty(consoleBinary, cArgv, cEnv, directory, 40, 160, &masterFD, &slaveFD)
        guard pid > 0 else { throw TerminalError(message: "could not start the console in a pty") }
        master = masterFD
        slave = slaveFD
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(master)
        close(slave)
    }

    /// Reads whatever the console wrote within `seconds`, yielding between reads (a test must not
    /// hold one of Swift's cooperative threads while it waits).
    func pump(_ seconds: Double = 0.05) async {
        let until = Date().addingTimeInterval(seconds)
        while readAvailable() || Date() < until {
            if !readAvailable() { try? await Task.sleep(for: .milliseconds(10)) }
        }
    }

    /// Reads what is ready now, without waiting; false when there was nothing.
    private func readAvailable() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var any = false
        while true {
            var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 0) > 0 else { return any }
            let count = read(master, &buffer, buffer.count)
            guard count > 0 else { return any }
            any = true
            var bytes = partial + buffer[0..<count]
            partial = []
            // Keep an incomplete trailing UTF-8 sequence for the next read.
            var tail = bytes.count - 1
            while tail >= 0 && bytes.count - tail <= 4 && bytes[tail] & 0xC0 == 0x80 { tail -= 1 }
            if tail >= 0 {
                let lead = bytes[tail]
                let need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
                if bytes.count - tail < need { partial = Array(bytes[tail...]); bytes.removeSubrange(tail...) }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            raw += text
            screen.feed(text)
        }
    }

    /// Waits until the screen shows `text` (or `seconds` pass); returns whether it did.
    @discardableResult
    func waitFor(_ text: String, seconds: Double = 15) async -> Bool {
        let until = Date().addingTimeInterval(seconds)
        while Date() < until {
            if screen.text.joined(separator: "\n").contains(text) { return true }
            await pump(0.05)
        }
        return screen.text.joined(separator: "\n").contains(text)
    }

    /// Waits until libedit has put the terminal in raw mode (it prints the prompt first: typing
    /// before that would echo twice).
    func waitForPrompt(seconds: Double = 15) async -> Bool {
        let until = Date().addingTimeInterval(seconds)
        while Date() < until {
            await pump(0.02)
            if dagstack_pty_is_canonical(slave) == 0 { return true }
        }
        return false
    }

    /// Types `text`. By default first waits for the prompt's raw mode, as a person would see the
    /// prompt before typing; `whileRunning` types into a running command (Ctrl-C).
    func type(_ text: String, whileRunning: Bool = false) async {
        if !whileRunning { _ = await waitForPrompt() }
        _ = text.utf8CString.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count - 1) }
        await pump(0.1)
    }

    /// Types raw bytes, which need not be UTF-8 (what a terminal in another encoding sends).
    func typeBytes(_ bytes: [UInt8]) async {
        _ = await waitForPrompt()
        _ = bytes.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count) }
        await pump(0.1)
    }

    /// Waits for the console to exit; returns its status, or nil if it is still running.
    func waitForExit(seconds: Double = 15) async -> Int32? {
        let until = Date().addingTimeInterval(seconds)
        while Date() < until {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F) }
            await pump(0.05)
        }
        // Once more after the deadline: a busy machine may have kept this task from running until now.
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F) }
        return nil
    }

    var lines: [String] { screen.text }

    /// Whether the terminal is back in canonical (line) mode, as a shell expects it.
    var isCanonical: Bool { dagstack_pty_is_canonical(slave) == 1 }
}

struct TerminalError: Error { let message: String }

/// Pids of every process descended from `pid` (read from /proc), for orphan checks.
func descendants(of pid: Int32) -> [Int32] {
    var children: [Int32: [Int32]] = [:]
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let p = Int32(entry), let parent = parentPID(of: p) else { continue }
        children[parent, default: []].append(p)
    }
    var result: [Int32] = []
    var queue = [pid]
    while let next = queue.popLast() {
        for child in children[next] ?? [] { result.append(child); queue.append(child) }
    }
    return result
}
