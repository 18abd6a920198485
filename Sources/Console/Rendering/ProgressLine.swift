import Foundation
import Inspector
import Synchronization

/// The live status line while a stage runs longer than `delay`: which plugin, which stage, how long
/// so far — on standard error, redrawn in place, erased when the stage ends. Calls nest (middleware
/// around a stage, a plugin calling another): the innermost one running is shown.
final class ProgressLine: TraceProgress {
    private struct Running {
        var activity: TraceActivity
        var started: ContinuousClock.Instant
    }

    private struct State {
        var stack: [Running] = []
        var drawn = false
        var ticking = false
        /// Since when a debugger in plugin code has the terminal: nothing is drawn, and that time is
        /// not the stage's.
        var suspendedSince: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let fd: Int32
    private let delay: Duration
    private let clock = ContinuousClock()

    init(fd: Int32 = STDERR_FILENO, delay: Duration = .milliseconds(300)) {
        self.fd = fd
        self.delay = delay
    }

    func started(_ activity: TraceActivity) {
        let startTicking = state.withLock { s -> Bool in
            s.stack.append(Running(activity: activity, started: clock.now))
            defer { s.ticking = true }
            return !s.ticking
        }
        if startTicking { schedule() }
    }

    func ended() {
        state.withLock { s in
            _ = s.stack.popLast()
            if s.stack.isEmpty && s.drawn {
                write("\r\u{1B}[K")
                s.drawn = false
            }
        }
    }

    /// While a debugger has the terminal (true) the line is erased and not drawn; afterwards (false)
    /// the running calls' times go on from where they were.
    func suspend(_ suspended: Bool) {
        state.withLock { s in
            if suspended {
                guard s.suspendedSince == nil else { return }
                s.suspendedSince = clock.now
                if s.drawn {
                    write("\r\u{1B}[K")
                    s.drawn = false
                }
            } else if let since = s.suspendedSince {
                let paused = clock.now - since
                for i in s.stack.indices { s.stack[i].started += paused }
                s.suspendedSince = nil
            }
        }
    }

    private func schedule() {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(100)) { [self] in tick() }
    }

    /// Redraws the line for the innermost running call once it has run for `delay`; stops ticking
    /// when nothing runs.
    private func tick() {
        let again = state.withLock { s -> Bool in
            guard let top = s.stack.last else {
                s.ticking = false
                return false
            }
            let elapsed = clock.now - top.started
            if elapsed >= delay && s.suspendedSince == nil {
                write("\r\u{1B}[K" + Self.fitted(Self.text(top.activity, elapsed: elapsed), width: terminalWidth()))
                s.drawn = true
            }
            return true
        }
        if again { schedule() }
    }

    /// `⧗ stage 2/5 blacklist · 1.4 s — Ctrl-C stops it`, the middleware call or batch it is.
    static func text(_ a: TraceActivity, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var what: String
        if a.batch.count > 1 {
            what = "stages \(a.position)–\(a.position + a.batch.count - 1)/\(a.total) \(a.batch.joined(separator: ", ")) (one exchange)"
        } else if let around = a.around {
            what = (a.position > 0 ? "stage \(a.position)/\(a.total) " : "") + "\(a.plugin).\(a.call) (around \(around))"
        } else if a.position > 0 {
            what = "stage \(a.position)/\(a.total) \(a.plugin)"
        } else {
            what = "\(a.plugin) \(a.kind).\(a.call)"
        }
        if let label = a.label { what = label + " · " + what }
        return TerminalText.safe("⧗ \(what) · \(String(format: "%.1f", seconds)) s — Ctrl-C stops it", keepingStyles: false)
    }

    /// Cut to the terminal's width, so the line never wraps (a wrapped line could not be redrawn in place).
    static func fitted(_ text: String, width: Int) -> String {
        text.count < width ? text : String(text.prefix(max(10, width - 2))) + "…"
    }

    private func terminalWidth() -> Int {
        var size = winsize()
        return ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }
}
