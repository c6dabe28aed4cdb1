import Crypto
import Foundation
import PaddockPosix

/// One JSON file per volume under `<state>/volumes/<driver>/`, replaced atomically, so a damaged
/// file costs one volume and never the others. Files are named by the SHA-256 of the volume name:
/// any valid name (up to 255 bytes, any characters but '/' and NUL) maps to a short, safe file name.
public struct VolumeRecordStore: Sendable {
    public let directory: String
    public let driver: String

    public init(stateDirectory: String, driver: String) {
        self.directory = "\(stateDirectory)/volumes/\(driver)"
        self.driver = driver
    }

    /// A record file that could not be read as a record.
    public struct Damaged: Sendable, Equatable {
        public var file: String
        public var reason: String
        /// The volume's name when something else (the driver's list) tells which one it is.
        public var name: String?
    }

    public func file(for name: String) -> String {
        let digest = SHA256.hash(data: Data(name.utf8)).map { String(format: "%02x", $0) }.joined()
        return "\(directory)/\(digest).json"
    }

    /// Runs `body` holding this driver's record lock, shared by every paddock process on the host.
    public func locked<T>(_ body: () throws -> T) throws -> T {
        try FileSystem.makeDirectories(directory, mode: 0o700)
        return try FileLock.withExclusiveLock("\(directory)/.lock", body)
    }

    /// The record, nil when there is none; a damaged file is an error naming it and the fix.
    public func read(_ name: String) throws(VolumeError) -> VolumeRecord? {
        let path = file(for: name)
        guard FileSystem.exists(path) else { return nil }
        let record: VolumeRecord
        do {
            record = try decode(path)
        } catch let damaged as DamagedRecord {
            throw VolumeError(.corruptRecord, "the state record of volume \(name) (plugin \(driver)) at \(path) is damaged: \(damaged.reason)",
                              hint: "other volumes are unaffected; repair the file, or delete it and run `paddock volume create \(name) --driver \(driver)` again")
        } catch {
            throw VolumeError(.io, "cannot read \(path): \(error)")
        }
        guard record.name == name else {
            throw VolumeError(.corruptRecord, "the state record at \(path) names volume \(record.name), not \(name)",
                              hint: "other volumes are unaffected; delete the file and recreate volume \(name)")
        }
        return record
    }

    public func write(_ record: VolumeRecord) throws(VolumeError) {
        do {
            try FileSystem.makeDirectories(directory, mode: 0o700)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(Array(try encoder.encode(record)), to: file(for: record.name), mode: 0o600)
        } catch {
            throw VolumeError(.io, "cannot write the state record of volume \(record.name) in \(directory): \(error)")
        }
    }

    public func delete(_ name: String) throws(VolumeError) {
        let path = file(for: name)
        guard FileSystem.exists(path) else { return }
        do {
            try FileSystem.remove(path)
        } catch {
            throw VolumeError(.io, "cannot delete the state record \(path) of volume \(name): \(error)")
        }
    }

    /// Every readable record, and every damaged file reported apart.
    public func all() -> (records: [VolumeRecord], damaged: [Damaged]) {
        guard let names = try? FileSystem.list(directory) else { return ([], []) }
        var records: [VolumeRecord] = []
        var damaged: [Damaged] = []
        for name in names where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let path = "\(directory)/\(name)"
            do {
                let record = try decode(path)
                if file(for: record.name) == path {
                    records.append(record)
                } else {
                    damaged.append(Damaged(file: path, reason: "it names volume \(record.name), whose record lives elsewhere"))
                }
            } catch let error as DamagedRecord {
                damaged.append(Damaged(file: path, reason: error.reason))
            } catch {
                damaged.append(Damaged(file: path, reason: "\(error)"))
            }
        }
        return (records.sorted { $0.name < $1.name }, damaged)
    }

    private struct DamagedRecord: Error {
        var reason: String
    }

    private func decode(_ path: String) throws -> VolumeRecord {
        let bytes = try FileSystem.read(path, limit: 4 << 20)
        do {
            return try JSONDecoder().decode(VolumeRecord.self, from: Data(bytes))
        } catch {
            throw DamagedRecord(reason: bytes.isEmpty ? "the file is empty" : "it is not a volume record (\(Self.describe(error)))")
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.underlyingError.map { "\($0)" } ?? context.debugDescription
        case DecodingError.keyNotFound(let key, _): return "field \(key.stringValue) is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "field \(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        default: return "\(error)"
        }
    }
}
