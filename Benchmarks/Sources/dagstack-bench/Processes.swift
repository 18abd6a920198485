import Foundation

/// Runs a program to completion; returns its exit status and its peak resident memory (KiB).
func runProcess(_ path: String, _ arguments: [String], directory: String) throws -> (status: Int32, maxRSS: Int) {
    var pid: pid_t = 0
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    _ = FileManager.default.changeCurrentDirectoryPath(directory)  // the benchmark runs one process at a time
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let env = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { env.forEach { free($0) } }
    guard posix_spawn(&pid, path, &actions, nil, argv, env) == 0 else { throw BenchError("cannot start \(path)") }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    return ((status >> 8) & 0xFF, usage.ru_maxrss)
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A child spoken to with plain blocking reads and writes: the floor the console's hosts are measured against.
final class ChildProcessForBench {
    let process = Process()
    let input = Pipe(), output = Pipe()
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    let fdIn: Int32, fdOut: Int32

    init(command: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        fdIn = input.fileHandleForWriting.fileDescriptor
        fdOut = output.fileHandleForReading.fileDescriptor
    }

    /// Writes one line and reads until the answer's newline.
    func roundTrip(_ line: [UInt8]) throws {
        _ = line.withUnsafeBytes { write(fdIn, $0.baseAddress, $0.count) }
        var got = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fdOut, $0.baseAddress! + got, $0.count - got) }
            guard n > 0 else { throw BenchError("the echo child closed its output") }
            got += n
            if buffer[got - 1] == 0x0A { return }
        }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
