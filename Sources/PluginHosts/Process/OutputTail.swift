import Foundation
import Synchronization

/// Reads a child's stderr continuously on its own thread, so a chatty child never blocks on a full
/// pipe. Keeps the last bytes for error messages, and the lines since the last `drain()` so a call
/// can hand back what the plugin wrote while it ran.
final class OutputTail: Sendable {
    static let tailLimit = 16 * 1024
    static let pendingLimit = 256 * 1024

    private struct State {
        var tail: [UInt8] = []
        var pending: [UInt8] = []
        /// Bytes past `pendingLimit` since the last drain, which are not kept.
        var dropped = 0
        var closed = false
    }

    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)
    private let fd: Int32

    init(fd: Int32) {
        self.fd = fd
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 8192) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                append(buffer[0..<count])
            }
            close(fd)
            state.withLock { $0.closed = true }
            finished.signal()
        }
        thread.name = "dagstack-stderr"
        thread.start()
    }

    private func append(_ bytes: ArraySlice<UInt8>) {
        state.withLock { s in
            s.tail.append(contentsOf: bytes)
            if s.tail.count > Self.tailLimit { s.tail.removeFirst(s.tail.count - Self.tailLimit) }
            let room = max(0, Self.pendingLimit - s.pending.count)
            s.pending.append(contentsOf: bytes.prefix(room))
            s.dropped += max(0, bytes.count - room)
        }
    }

    /// The last bytes written, as text.
    var tail: String { state.withLock { String(decoding: $0.tail, as: UTF8.self) } }

    /// Lines written since the last drain. A partial last line waits for the next drain unless
    /// `includingPartialLine` (a call is over: what it wrote without a final newline is its output).
    /// When more came than is kept, a last line says how much was dropped. What the child wrote
    /// before answering is already in the pipe: give the reader thread a moment (at most 20 ms) to
    /// take it, so it is reported with the call that produced it.
    func drain(includingPartialLine: Bool = false) -> [String] {
        for _ in 0..<100 {
            let open = state.withLock { !$0.closed }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard open, poll(&pfd, 1, 0) > 0, pfd.revents & Int16(POLLIN) != 0 else { break }
            usleep(200)
        }
        return state.withLock { s in
            var lines: [String]
            if let lastNewline = s.pending.lastIndex(of: 0x0A) {
                lines = s.pending[...lastNewline].split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map {
                    String(decoding: $0, as: UTF8.self)
                }
                s.pending.removeFirst(lastNewline + 1)
            } else {
                lines = []
            }
            if (s.closed || includingPartialLine || s.dropped > 0), !s.pending.isEmpty {
                lines.append(String(decoding: s.pending, as: UTF8.self))
                s.pending.removeAll()
            }
            if s.dropped > 0 {
                lines.append("[… \(s.dropped) more bytes the process wrote to its stderr not kept: the console keeps \(Self.pendingLimit / 1024) KiB of it between two calls]")
                s.dropped = 0
            }
            return lines
        }
    }

    /// Takes the complete lines `wanted` picks out of those written since the last drain, leaving the
    /// others (and a partial last line) for the next drain: what the runtime itself said between two
    /// calls is taken at once, what the plugins wrote stays for the next call.
    func extract(where wanted: (String) -> Bool) -> [String] {
        state.withLock { s in
            guard let lastNewline = s.pending.lastIndex(of: 0x0A) else { return [] }
            var taken: [String] = []
            var kept: [UInt8] = []
            for line in s.pending[...lastNewline].split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
                let text = String(decoding: line, as: UTF8.self)
                if wanted(text) { taken.append(text) } else { kept += line + [0x0A] }
            }
            guard !taken.isEmpty else { return [] }
            s.pending = kept + s.pending[(lastNewline + 1)...]
            return taken
        }
    }

    /// Waits (bounded) until the child closed its stderr, so the tail is complete after an exit.
    func waitForClose(seconds: Double) { _ = finished.wait(timeout: .now() + seconds) }
}
