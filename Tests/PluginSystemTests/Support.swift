import Foundation
import OrderedCollections
@testable import PluginSystem

/// A scratch folder removed when the value goes away.
final class TempDir {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "dagstack-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ relative: String, _ text: String) -> String {
        let full = path + "/" + relative
        try! FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! text.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }

    func mkdir(_ relative: String) {
        try! FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
    }

    /// A plugin folder with a `[plugin]` manifest.
    func plugin(_ folder: String, name: String, kind: String = "k", priority: Int = 0, extra: String = "") {
        write("\(folder)/dagstack.toml", """
            [plugin]
            name = "\(name)"
            kind = "\(kind)"
            runtime = "in_process"
            core_version = ">=0.1.0,<1.0.0"
            priority = \(priority)
            \(extra)
            """)
    }
}

/// Records calls across plugins so tests can assert the exact order things happened in.
final class CallLog: Sendable {
    private let lines = Mutex<[String]>([])
    func add(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

import Synchronization

func manifest(_ name: String, kind: String = "k", priority: Int = 0, dependsOn: [String] = []) -> PluginManifest {
    PluginManifest(name: name, kind: kind, priority: priority, dependsOn: dependsOn)
}

/// A chain stage that appends `suffix` to the `text` of the value it gets.
func appender(_ suffix: String, log: CallLog? = nil, name: String = "") -> SwiftPlugin {
    SwiftPlugin(hooks: [
        "rewrite": { args, ctx in
            log?.add("\(ctx.plugin).rewrite")
            guard case .object(var o) = args.positional[0] else { return .value(args.positional[0]) }
            o["text"] = .string((o["text"]?.stringValue ?? "") + suffix)
            return .value(.object(o))
        }
    ])
}

struct Boom: Error, CustomStringConvertible {
    let text: String
    var description: String { text }
}
