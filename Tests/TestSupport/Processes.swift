import Foundation

/// `pid`'s command line, its arguments joined by spaces ("" for a zombie or a process gone).
public func commandLine(of pid: Int32) -> String {
    let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
    return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
}

/// The parent of `pid`, from /proc; nil once it is gone.
public func parentPID(of pid: Int32) -> Int32? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.count > 1 ? Int32(fields[1]) : nil
}

/// Those of `pids` whose parent is not among them. A program started through a launcher script
/// (pyenv's shims are bash) or one that forks before it execs (libuv, Python's subprocess) has
/// children carrying its own command line for a moment: counting interpreters, count only the
/// outermost process with it.
public func outermost(_ pids: some Sequence<Int32>) -> Set<Int32> {
    let all = Set(pids)
    return all.filter { !all.contains(parentPID(of: $0) ?? 0) }
}

/// Live processes (not zombies) whose command line contains `marker`, read from /proc: how tests find
/// what a plugin started wherever it went (another session, reparented to init).
public func processes(matching marker: String) -> [Int32] {
    var found: [Int32] = []
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let pid = Int32(entry), pid != getpid() else { continue }
        let command = commandLine(of: pid)
        if !command.isEmpty && command.contains(marker) && processExists(pid) { found.append(pid) }
    }
    return found
}

/// Kills every process matching `marker`: a test's cleanup, run whether it passed or not, so a
/// failing orphan test never leaves processes on the machine.
public func killProcesses(matching marker: String) {
    for pid in processes(matching: marker) { kill(pid, SIGKILL) }
}

/// Waits up to `seconds` for no process to match `marker`; returns those still there.
public func survivors(matching marker: String, within seconds: Double = 5) async -> [Int32] {
    let until = Date().addingTimeInterval(seconds)
    var left = processes(matching: marker)
    while !left.isEmpty && Date() < until {
        try? await Task.sleep(for: .milliseconds(50))
        left = processes(matching: marker)
    }
    return left
}

/// A marker unique to one test run, usable as a `sleep` duration (`86400.<digits>`), so that the
/// processes a test's plugins start can be told from every other process on the machine.
public func uniqueSleepMarker() -> String {
    "86400.\(UInt32.random(in: 100_000...999_999))\(getpid() % 1000)"
}

/// Waits up to `seconds` for `process` to exit, without blocking a thread of Swift's cooperative pool
/// (other suites' timed waits run on it); returns whether it did.
public func waitForExit(_ process: Process, seconds: Double) async -> Bool {
    let until = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < until { try? await Task.sleep(for: .milliseconds(20)) }
    return !process.isRunning
}
