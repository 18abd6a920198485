import Foundation

/// Starts `command` (argv[0] looked up in PATH) with this process's environment, after `arrange`
/// has set up its file descriptors.
func spawn(_ command: [String], arrange: (inout posix_spawn_file_actions_t) -> Void) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    arrange(&actions)
    let argv = command.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawnp(&pid, command[0], &actions, nil, argv, environ) == 0 else { throw BenchError("cannot start \(command[0])") }
    return pid
}

/// Runs a program to completion with its output discarded; returns its exit status.
func runProcess(_ path: String, _ arguments: [String], directory: String) throws -> Int32 {
    _ = FileManager.default.changeCurrentDirectoryPath(directory)  // the benchmark runs one process at a time
    let pid = try spawn([path] + arguments) { actions in
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return (status >> 8) & 0xFF
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A child spoken to with plain `read`/`write` on pipes from `posix_spawn`: the floor the console's
/// hosts are measured against. Two ways to wait for the answer — sleeping in `read`, or checking
/// without sleeping — since on a virtual machine the second can be several times faster; the floor
/// is whichever is faster.
final class ChildProcessForBench {
    let pid: pid_t
    let fdIn: Int32, fdOut: Int32
    var buffer = [UInt8](repeating: 0, count: 1 << 20)

    init(command: [String]) throws {
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else { throw BenchError("cannot create pipes") }
        let pid = try spawn(command) { actions in
            posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
            posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
            for fd in toChild + fromChild { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        close(toChild[0])
        close(fromChild[1])
        self.pid = pid
        fdIn = toChild[1]
        fdOut = fromChild[0]
    }

    /// Writes one line and reads until the answer's newline.
    func roundTrip(_ line: [UInt8], spinning: Bool) throws {
        _ = line.withUnsafeBytes { write(fdIn, $0.baseAddress, $0.count) }
        var got = 0
        while true {
            if spinning {
                var pfd = pollfd(fd: fdOut, events: Int16(POLLIN), revents: 0)
                while poll(&pfd, 1, 0) == 0 { sched_yield() }  // as the console's own read does
            }
            let n = buffer.withUnsafeMutableBytes { read(fdOut, $0.baseAddress! + got, $0.count - got) }
            guard n > 0 else { throw BenchError("the echo child closed its output") }
            got += n
            if buffer[got - 1] == 0x0A { return }
        }
    }

    func stop() {
        close(fdIn)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(fdOut)
    }
}
