import Foundation

/// A scratch folder removed when the value goes away.
public final class TempDir: @unchecked Sendable {
    public let path: String

    public init() {
        path = NSTemporaryDirectory() + "dagstack-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    public func write(_ relative: String, _ text: String, executable: Bool = false) -> String {
        let full = path + "/" + relative
        try! FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: full).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try! text.write(toFile: full, atomically: true, encoding: .utf8)
        if executable { chmod(full, 0o755) }
        return full
    }

    public func mkdir(_ relative: String) {
        try! FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
    }

    /// A plugin folder with a `[plugin]` manifest.
    public func plugin(
        _ folder: String, name: String, kind: String = "k", priority: Int = 0, runtime: String = "in_process",
        extra: String = ""
    ) {
        write("\(folder)/dagstack.toml", """
            [plugin]
            name = "\(name)"
            kind = "\(kind)"
            runtime = "\(runtime)"
            core_version = ">=0.1.0,<1.0.0"
            priority = \(priority)
            \(extra)
            """)
    }
}

/// The package root, for tests that use the shipped `plugins/` or the built executables.
public let packageRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

/// Whether a process with this pid still exists (and is not a zombie).
public func processExists(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    // Field 3 is the state; Z is a zombie (exited, not yet reaped).
    let afterName = stat.split(separator: ")").last ?? ""
    return !afterName.trimmingCharacters(in: .whitespaces).hasPrefix("Z")
}

public struct MissingReference: Error, CustomStringConvertible {
    public let description =
        "The Python reference is not installed: run `make reference-venv` (or `make test`), or set DAGSTACK_REFERENCE_PYTHON"
}

/// The Python with the reference runtime (dagstack-plugin-system 0.4.1) installed.
public func referencePython() throws -> String {
    if let configured = ProcessInfo.processInfo.environment["DAGSTACK_REFERENCE_PYTHON"] { return configured }
    let venv = packageRoot + "/.venv-ref/bin/python"
    guard FileManager.default.isExecutableFile(atPath: venv) else { throw MissingReference() }
    return venv
}

/// Runs a program to completion and returns its exit status, stdout and stderr. The waiting happens
/// on a thread of its own: a test blocked on a child must hold neither one of Swift's cooperative
/// threads nor one of dispatch's (Foundation learns that a child exited on a dispatch queue; with
/// every dispatch thread waiting for a child, none ever hears of it, and the whole test run hangs).
public func run(
    _ executable: String, _ arguments: [String], stdin: String = "", environment: [String: String]? = nil,
    workingDirectory: String? = nil
) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result {
                try runBlocking(executable, arguments, stdin: stdin, environment: environment, workingDirectory: workingDirectory)
            })
        }
    }
}

func runBlocking(
    _ executable: String, _ arguments: [String], stdin: String, environment: [String: String]?, workingDirectory: String?
) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
    let input = Pipe(), output = Pipe(), errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    input.fileHandleForWriting.write(Data(stdin.utf8))
    try input.fileHandleForWriting.close()
    // Read both pipes concurrently so a chatty stderr cannot block the child.
    let errData = UnsafeSendableBox<Data>(Data())
    let errorsRead = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        errData.value = errors.fileHandleForReading.readDataToEndOfFile()
        errorsRead.signal()
    }
    let outData = output.fileHandleForReading.readDataToEndOfFile()
    errorsRead.wait()
    // Not waitUntilExit(): off the main thread it spins on a run loop with nothing in it.
    while process.isRunning { usleep(1_000) }
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData.value, as: UTF8.self))
}

final class UnsafeSendableBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

/// Seed 000's chunker manifest, verbatim (with its inline comment).
public let seedChunkerManifest = """
    [plugin]
    name = "fixed"
    kind = "chunker"
    runtime = "in_process"
    core_version = ">=0.1.0,<1.0.0"
    entry_point = "plugin:FixedChunker"
    version = "0.1.0"
    description = "Fixed chunker — splits text into pieces of equal length."
    execution_model = "sync" # hook execution style: sync | async | thread_cpu_bound | process_cpu_bound
    [plugin.resources]
    required = ["clock"]
    """
