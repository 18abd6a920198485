import CProcess
import Foundation

/// What a user sees if the console itself crashes or is sent SIGSEGV: one line naming the signal,
/// the terminal given back, and the process gone — not the Swift runtime's backtracer, whose
/// backtrace and 30 s "Press space to interact" prompt are for the console's developers. They keep
/// it by setting SWIFT_BACKTRACE (e.g. `SWIFT_BACKTRACE=enable=yes`), which leaves the runtime's
/// handlers in place.
public enum CrashReport {
    public static func install(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment["SWIFT_BACKTRACE"] == nil else { return }
        _ = dagstack_install_crash_report(isatty(STDIN_FILENO) == 1 ? STDIN_FILENO : -1)
    }
}
