import Foundation

/// The `blob_store` standard resource (reference/resources-list): bytes by key.
public protocol PluginBlobStore: Sendable {
    func put(_ key: String, _ data: [UInt8], contentType: String?) throws(DagstackError)
    /// Nil when there is no blob under `key` (as the reference's InMemoryBlobStore).
    func get(_ key: String) throws(DagstackError) -> [UInt8]?
    /// Deleting a key that is not there is not an error.
    func delete(_ key: String) throws(DagstackError)
    /// The keys that start with `prefix`, sorted.
    func list(prefix: String) throws(DagstackError) -> [String]
    func exists(_ key: String) throws(DagstackError) -> Bool
    var descriptor: JSONValue { get }
}

/// A blob store on a folder: one file per key, the key percent-encoded into the file name so no key
/// can reach outside the folder (`../x`, `/etc/passwd` and `a/b` are names, not paths).
public struct FolderBlobStore: PluginBlobStore {
    public let path: String

    public init(path: String) throws(DagstackError) {
        self.path = path
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw DagstackError(.resourceMissing, "blob_store: cannot create the folder \(path): \(error.localizedDescription)")
        }
    }

    static let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".utf8)

    static func fileName(_ key: String) -> String {
        var name = ""
        for byte in key.utf8 {
            if plain.contains(byte) { name.unicodeScalars.append(Unicode.Scalar(byte)) } else { name += String(format: "%%%02X", byte) }
        }
        return name.isEmpty ? "%" : name
    }

    static func key(_ fileName: String) -> String? {
        guard fileName != "%" else { return "" }
        return fileName.removingPercentEncoding
    }

    func file(_ key: String) -> String { path + "/" + Self.fileName(key) }

    public func put(_ key: String, _ data: [UInt8], contentType: String?) throws(DagstackError) {
        do { try Data(data).write(to: URL(fileURLWithPath: file(key)), options: .atomic) } catch {
            throw DagstackError(.pluginError, "blob_store.put('\(key)'): \(error.localizedDescription)")
        }
    }

    public func get(_ key: String) throws(DagstackError) -> [UInt8]? {
        FileManager.default.contents(atPath: file(key)).map { [UInt8]($0) }
    }

    public func delete(_ key: String) throws(DagstackError) {
        try? FileManager.default.removeItem(atPath: file(key))
    }

    public func list(prefix: String) throws(DagstackError) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.compactMap(Self.key).filter { $0.hasPrefix(prefix) }.sorted()
    }

    public func exists(_ key: String) throws(DagstackError) -> Bool { FileManager.default.fileExists(atPath: file(key)) }

    public var descriptor: JSONValue { ["type": "folder", "path": .string(path)] }
}
