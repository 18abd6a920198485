import Foundation
@testable import PluginHosts
import Testing
import TestSupport

/// The Node host's `.mjs` files reach the binary and the folder Node runs them from: every file of
/// `host/`, byte for byte as on disk.
@Suite struct NodeHostSourceTests {
    @Test func everyFileOfTheHostIsEmbeddedAndInstalledAsWritten() throws {
        let folder = packageRoot + "/Sources/PluginHosts/Node/host"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".mjs") }.sorted()
        #expect(NodeHostSource.files.map(\.name).sorted() == files)
        let main = try NodeHostSource.install()
        let installed = FilePathComponents.folder(of: main)
        #expect(installed == NodeHostSource.cacheFolder())
        for file in NodeHostSource.files {
            let onDisk = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/" + file.name)))
            #expect(file.source == onDisk, "\(file.name) differs from the embedded copy")
            let copy = try [UInt8](Data(contentsOf: URL(fileURLWithPath: installed + "/" + file.name)))
            #expect(copy == onDisk, "\(file.name) differs from the installed copy")
        }
    }
}

private enum FilePathComponents {
    static func folder(of path: String) -> String { URL(fileURLWithPath: path).deletingLastPathComponent().path }
}
