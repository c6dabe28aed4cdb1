import PaddockPluginKit
import PluginABI
import StorageNFSCore

/// The volume records in the host's per-plugin store, one key per volume (`volume/<name>`).
/// Updates are compare-and-swap, so concurrent paddock processes never lose a mount id.
struct VolumeStore {
    let host: HostClient

    static let prefix = "volume/"

    struct Corrupt: Error {
        var name: String
        var reason: String
    }

    func key(_ name: String) -> String { Self.prefix + name }

    /// The record and its stored bytes; nil when absent; a damaged record is reported as such.
    func read(_ name: String) throws(DriverError) -> (record: VolumeRecord, bytes: [UInt8])? {
        guard let bytes = try host.get(key(name)) else { return nil }
        do {
            return (try VolumeRecord(bytes: bytes), bytes)
        } catch {
            throw corrupt(name, error.message)
        }
    }

    func corrupt(_ name: String, _ reason: String) -> DriverError {
        DriverError(code: PADDOCK_E_DECODE, "nfs: the record of volume \(name) in the plugin's store is corrupt: \(reason)",
                    details: "remove it with `paddock plugin invoke nfs storage.remove '{\"name\":\"\(name)\"}'` (the data on the server is left alone) and create the volume again")
    }

    /// Stores a new record; false when one exists already.
    func insert(_ record: VolumeRecord) throws(DriverError) -> Bool {
        try host.compareAndSwap(key(record.name), expected: nil, value: record.encoded())
    }

    /// Applies `change` to the current record until no other process changed it in between.
    @discardableResult
    func update(_ name: String, _ change: (inout VolumeRecord) throws(DriverError) -> Void) throws(DriverError) -> VolumeRecord {
        while true {
            guard let (record, bytes) = try read(name) else { throw DriverError(code: PADDOCK_E_UNKNOWN_CONTAINER, "nfs: no volume named \(name)", details: "create it first (storage.create)") }
            var changed = record
            try change(&changed)
            if changed == record { return record }
            if try host.compareAndSwap(key(name), expected: bytes, value: changed.encoded()) { return changed }
        }
    }

    /// Replaces the record whose stored bytes are `expected`; false when another process changed it.
    func swap(_ name: String, _ expected: [UInt8], _ record: VolumeRecord) throws(DriverError) -> Bool {
        try host.compareAndSwap(key(name), expected: expected, value: record.encoded())
    }

    func delete(_ name: String) throws(DriverError) { try host.delete(key(name)) }

    /// Every record, and the names of those that cannot be read.
    func all() throws(DriverError) -> (records: [VolumeRecord], corrupt: [Corrupt]) {
        var records: [VolumeRecord] = [], damaged: [Corrupt] = []
        for key in try host.keys(prefix: Self.prefix) {
            let name = String(key.dropFirst(Self.prefix.count))
            guard let bytes = try host.get(key) else { continue }
            do {
                records.append(try VolumeRecord(bytes: bytes))
            } catch {
                damaged.append(Corrupt(name: name, reason: error.message))
            }
        }
        return (records, damaged)
    }
}
