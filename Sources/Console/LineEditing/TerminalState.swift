import Foundation

/// The terminal's settings as they were when the console started, to put back on every way out
/// (including from the signal thread). An immutable copy of a C struct, so it is safe to share.
struct TerminalState: @unchecked Sendable {
    private let saved: termios?

    init() {
        var settings = termios()
        saved = isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &settings) == 0 ? settings : nil
    }

    func restore() {
        guard var settings = saved else { return }
        tcsetattr(STDIN_FILENO, TCSANOW, &settings)
    }
}
