import Foundation
import OrderedCollections
@testable import PluginSystem
@_exported import TestSupport

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
