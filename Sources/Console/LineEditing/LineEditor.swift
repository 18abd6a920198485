import CProcess
import Foundation

/// What reading a line gave.
public enum LineInput: Sendable, Equatable {
    case line(String)
    /// End of input (Ctrl-D at an empty prompt, or the end of a script).
    case endOfInput
    /// Ctrl-C at the prompt: the line was abandoned.
    case interrupted
    /// The line's bytes are not UTF-8 (`offset` is the first bad byte's, 0-based): it is not run, as
    /// a replacement character sent to a plugin would be a value the user never typed.
    case notUTF8(offset: Int?, byte: UInt8)

    /// A line read as bytes: its text, or where it stops being UTF-8.
    static func decoding(_ bytes: some Collection<UInt8>) -> LineInput {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return .line(String(decoding: bytes, as: UTF8.self))
            case .error:
                return .notUTF8(offset: offset, byte: bytes[bytes.index(bytes.startIndex, offsetBy: offset)])
            }
        }
    }
}

/// Where the console's input comes from: libedit on a terminal, plain lines otherwise.
public protocol LineEditor: AnyObject {
    func readLine(prompt: String) -> LineInput
    /// Remembers an entered line (in memory and in the history file, if any).
    func remember(_ line: String)
    /// Puts the terminal back as it was (safe to call from a signal-handling path).
    func restoreTerminal()
}

/// Reads lines from standard input without a line editor: for scripts and pipes (libedit would read
/// one byte per call and put piped lines in the history file). Reads with `poll` in short slices, so
/// a signal is noticed whichever thread it interrupted: Ctrl-C (`.interrupted`) and a termination
/// request (`shouldStop`) end the wait, and end of input is end of input, whatever came before it.
public final class PlainLineReader: LineEditor {
    private let fd: Int32
    private let shouldStop: @Sendable () -> Bool
    private var buffer: [UInt8] = []
    /// Where the unread part of `buffer` starts (lines are taken without moving the rest).
    private var start = 0
    private var atEnd = false

    public init(fd: Int32 = STDIN_FILENO, shouldStop: @escaping @Sendable () -> Bool = { false }) {
        self.fd = fd
        self.shouldStop = shouldStop
    }

    public func readLine(prompt: String) -> LineInput {
        // A Ctrl-C that interrupted the last command is not one for this read.
        _ = dagstack_take_interrupt()
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let line = LineInput.decoding(buffer[start..<end])
                start = newline + 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return .endOfInput }
                defer { buffer.removeAll(); start = 0 }
                return LineInput.decoding(buffer[start...])
            }
            if dagstack_take_interrupt() != 0 || shouldStop() { return .interrupted }
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let polled = poll(&ready, 1, 100)
            if polled < 0 && errno != EINTR { atEnd = true }
            guard polled > 0 else { continue }
            fill()
        }
    }

    private func fill() {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        let chunk = 64 * 1024
        let old = buffer.count
        buffer += repeatElement(0, count: chunk)
        let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + old, chunk) }
        buffer.removeLast(chunk - max(got, 0))
        if got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN) { atEnd = true }
    }

    public func remember(_ line: String) {}
    public func restoreTerminal() {}
}
