/// The range every time limit (a manifest's `startup_timeout_sec`, `--call-timeout`) must be in, and
/// the one conversion from seconds to a `Duration`: a limit of `inf` or `1e300` seconds cannot be
/// turned into a clock instant (the conversion traps), so it is refused where it is read.
public enum TimeLimit {
    /// A week: longer than any call worth waiting for, far inside what a clock instant can hold.
    public static let maxSeconds = 604_800

    /// Why `seconds` cannot be a time limit, or nil when it can.
    public static func problem(_ seconds: Double) -> String? {
        guard seconds.isFinite else { return "must be a finite number of seconds, got \(seconds)" }
        guard seconds > 0 else { return "must be greater than 0, got \(seconds)" }
        guard seconds <= Double(maxSeconds) else { return "must be at most \(maxSeconds) seconds (a week), got \(seconds)" }
        return nil
    }

    /// `seconds` as a duration, clamped into the valid range (values are validated where they are
    /// read; this keeps a computed limit, such as a multiple of one, from ever trapping).
    public static func duration(_ seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return seconds > 0 ? .seconds(maxSeconds) : .zero }
        return .milliseconds(Int(min(seconds, Double(maxSeconds)) * 1000))
    }
}
