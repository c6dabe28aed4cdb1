import Foundation
import PaddockCore
import PaddockPosix

/// A plugin's persistent key-value store: one JSON file per plugin in the state directory, read
/// and replaced atomically under a per-plugin file lock, so every `paddock` process (CLI, CNI
/// binary, volume-plugin server) sees one consistent store. Values are bytes; UTF-8 values are
/// stored as text so operators can read the file, others as base64.
///
/// A process keeps the last entries it read or wrote per file (KeyValueSnapshots): a read whose
/// file is unchanged costs a stat instead of a read and a parse (a CNI ADD+DEL reads the store
/// about fifteen times).
public struct KeyValueStore: Sendable {
    public let file: String
    let lockFile: String
    public static let maxKeyBytes = 1024
    public static let maxValueBytes = 1 << 20

    public init(directory: String, plugin: String) {
        file = "\(directory)/\(plugin).json"
        lockFile = "\(directory)/\(plugin).lock"
    }

    public enum Failure: Error, Equatable { case notFound, conflict, invalidKey(String), io(String) }

    public func get(_ key: String) throws(Failure) -> [UInt8] {
        try validate(key)
        return try locked { (entries: inout [String: [UInt8]]) throws(Failure) -> ([UInt8], Bool) in
            guard let value = entries[key] else { throw .notFound }
            return (value, false)
        }
    }

    public func put(_ key: String, _ value: [UInt8]) throws(Failure) {
        try validate(key, value)
        try locked { (entries: inout [String: [UInt8]]) throws(Failure) -> ((), Bool) in
            entries[key] = value
            return ((), true)
        }
    }

    /// Writes only when the stored value equals `expected` (nil: only when absent).
    public func compareAndSwap(_ key: String, expected: [UInt8]?, value: [UInt8]) throws(Failure) {
        try validate(key, value)
        try locked { (entries: inout [String: [UInt8]]) throws(Failure) -> ((), Bool) in
            guard entries[key] == expected else { throw .conflict }
            entries[key] = value
            return ((), true)
        }
    }

    public func delete(_ key: String) throws(Failure) {
        try validate(key)
        try locked { (entries: inout [String: [UInt8]]) throws(Failure) -> ((), Bool) in
            (entries.removeValue(forKey: key) != nil ? ((), true) : ((), false))
        }
    }

    public func keys(prefix: String) throws(Failure) -> [String] {
        try locked { (entries: inout [String: [UInt8]]) throws(Failure) -> ([String], Bool) in
            (entries.keys.filter { $0.hasPrefix(prefix) }.sorted(), false)
        }
    }

    private func validate(_ key: String, _ value: [UInt8] = []) throws(Failure) {
        let bytes = key.utf8.count
        guard bytes >= 1, bytes <= Self.maxKeyBytes, !key.utf8.contains(0) else {
            throw .invalidKey("keys are 1-\(Self.maxKeyBytes) bytes of UTF-8 without NUL")
        }
        guard value.count <= Self.maxValueBytes else { throw .invalidKey("values are at most 1 MiB") }
    }

    /// Runs `body` on the decoded entries under the lock; writes them back when it says so.
    private func locked<T>(firstUse: Bool = true,
                           _ body: (inout [String: [UInt8]]) throws(Failure) -> (T, Bool)) throws(Failure) -> T {
        do {
            return try FileLock.withExclusiveLock(lockFile) {
                var entries = try load()
                let (result, changed) = try body(&entries)
                if changed {
                    try AtomicFile.write(encode(entries), to: file, mode: 0o600)
                    remember(entries)
                }
                return result
            }
        } catch let failure as Failure {
            throw failure
        } catch let error as SystemError where firstUse && error.errno == ENOENT && error.path == lockFile {
            // The directory is made when the lock cannot be opened, not on every call.
            do {
                try FileSystem.makeDirectories(AtomicFile.parentDirectoryPath(of: file), mode: 0o700)
            } catch {
                throw .io("key-value store \(file): \(error)")
            }
            return try locked(firstUse: false, body)
        } catch {
            throw .io("key-value store \(file): \(error)")
        }
    }

    private func remember(_ entries: [String: [UInt8]]) {
        if let pinned = try? PinnedFile(file) {
            KeyValueSnapshots.shared.keep(pinned, entries)
        } else {
            KeyValueSnapshots.shared.forget(file)
        }
    }

    private func load() throws -> [String: [UInt8]] {
        guard let current = try FileSystem.identity(file) else { return [:] }
        if let entries = KeyValueSnapshots.shared.entries(file, current: current) { return entries }
        let pinned = try PinnedFile(file)
        let bytes = try pinned.readAll()
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes)
        } catch {
            throw Failure.io("\(file) is corrupt (\(error)); move it aside to start an empty store")
        }
        var entries: [String: [UInt8]] = [:]
        for (key, value) in document["entries"]?.objectValue ?? [:] {
            if let text = value["text"]?.stringValue {
                entries[key] = Array(text.utf8)
            } else if let encoded = value["base64"]?.stringValue, let data = Data(base64Encoded: encoded) {
                entries[key] = Array(data)
            }
        }
        KeyValueSnapshots.shared.keep(pinned, entries)
        return entries
    }

    private func encode(_ entries: [String: [UInt8]]) -> [UInt8] {
        var object: [String: JSONValue] = [:]
        for (key, value) in entries {
            if let text = String(validating: value, as: UTF8.self) {
                object[key] = .object(["text": .string(text)])
            } else {
                object[key] = .object(["base64": .string(Data(value).base64EncodedString())])
            }
        }
        return Array(JSONValue.object(["version": 1, "entries": .object(object)]).serialized(pretty: true).utf8) + [10]
    }
}
