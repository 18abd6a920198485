import Foundation
@testable import PluginHosts
import Testing
import TestSupport

/// The host's `.py` files reach the binary: every module of `host/dagstack_host/` is in the table
/// `PythonHostSource` sends, byte for byte as on disk.
@Suite struct PythonHostSourceTests {
    @Test func everyModuleOfThePackageIsEmbeddedAsWritten() throws {
        let folder = packageRoot + "/Sources/PluginHosts/Python/host/dagstack_host"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".py") }.sorted()
        #expect(PythonHostSource.modules.map(\.file).sorted() == files)
        for module in PythonHostSource.modules {
            let expectedName = module.file == "__init__.py" ? "dagstack_host" : "dagstack_host." + module.file.dropLast(3)
            #expect(module.name == expectedName)
            let onDisk = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/" + module.file)))
            #expect(module.source == onDisk, "\(module.file) differs from the embedded copy")
        }
        let bootstrap = try String(contentsOfFile: packageRoot + "/Sources/PluginHosts/Python/host/bootstrap.py", encoding: .utf8)
        #expect(PythonHostSource.bootstrap == bootstrap)
    }
}
