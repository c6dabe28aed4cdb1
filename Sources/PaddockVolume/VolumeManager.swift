import Foundation
import PaddockJSON
import PaddockPosix

/// The one place the adapters (FlexVolume, the Docker volume plugin, `paddock volume`) turn volume
/// requests into driver calls and state records. Every change happens under the driver's record
/// lock, so concurrent requests from any paddock process see one consistent record per volume.
public final class VolumeManager: @unchecked Sendable {
    public let driver: StorageDriverClient
    public let store: VolumeRecordStore

    public init(driver: StorageDriverClient, stateDirectory: String) {
        self.driver = driver
        self.store = VolumeRecordStore(stateDirectory: stateDirectory, driver: driver.name)
    }

    /// Provisions a volume; creating it again with the same options is a no-op.
    @discardableResult
    public func create(_ name: String, options: [String: String]) throws(VolumeError) -> VolumeRecord {
        try VolumeName.validate(name)
        if let accepted = try driver.capabilities().options {
            try VolumeOptions.check(options, accepted: accepted, driver: driver.name)
        }
        return try exclusive { () throws(VolumeError) -> VolumeRecord in
            if let existing = try store.read(name) {
                guard existing.options == options else {
                    throw VolumeError(.exists, "volume \(name) of plugin \(driver.name) exists with other options (\(Self.describe(existing.options)))",
                                      hint: "remove it first, or create it with the same options")
                }
                return existing
            }
            _ = try driver.call("create", request(name, options))
            let record = VolumeRecord(name: name, driver: driver.name, options: options, createdAt: Self.now())
            do throws(VolumeError) {
                try store.write(record)
            } catch {
                _ = try? driver.call("remove", request(name, options))
                throw error
            }
            return record
        }
    }

    /// Deletes a volume through the driver (which applies its remove policy), then its record.
    public func remove(_ name: String) throws(VolumeError) {
        try VolumeName.validate(name)
        try exclusive { () throws(VolumeError) in
            let record = try store.read(name)
            if let record, !record.mounts.isEmpty {
                throw VolumeError(.busy, "volume \(name) of plugin \(driver.name) is mounted by \(record.mounts.map(\.id).joined(separator: ", "))",
                                  hint: "unmount it everywhere first (`paddock volume unmount \(name) --id ID`)")
            }
            _ = try driver.call("remove", request(name, record?.options ?? [:]))
            try store.delete(name)
        }
    }

    /// Mounts for holder `id` and answers where the volume is visible. With `target`, the driver's
    /// mountpoint is bind-mounted there. Mounting again for the same id answers the same path.
    public func mount(_ name: String, id: String, target: String? = nil, readOnly: Bool = false) throws(VolumeError) -> String {
        try VolumeName.validate(name)
        guard !id.isEmpty else { throw VolumeError(.invalidOption, "a mount needs a non-empty id") }
        return try exclusive { () throws(VolumeError) -> String in
            var record = try recordOrAdopt(name)
            if let existing = record.mounts.first(where: { $0.id == id }) { return existing.target ?? existing.mountpoint }
            var payload = fields(name, record.options)
            payload["id"] = .string(id)
            let answer = try driver.call("mount", .object(payload))
            guard let mountpoint = answer["mountpoint"]?.stringValue, !mountpoint.isEmpty else {
                _ = try? driver.call("unmount", .object(payload))
                throw VolumeError(.driver, "plugin \(driver.name) answered mount of \(name) without a \"mountpoint\"",
                                  hint: "the driver must return {\"mountpoint\": PATH}; report it to its author")
            }
            if let target {
                do {
                    try FileSystem.makeDirectories(target)
                    try BindMount.bind(mountpoint, onto: target, readOnly: readOnly)
                } catch {
                    _ = try? driver.call("unmount", .object(payload))
                    throw VolumeError(.io, "cannot bind-mount volume \(name) (\(mountpoint)) onto \(target): \(error)",
                                      hint: "check that \(target) is a directory and that paddock runs as root")
                }
            }
            record.mounts.append(MountRecord(id: id, mountpoint: mountpoint, target: target, readOnly: readOnly))
            do throws(VolumeError) {
                try store.write(record)
            } catch {
                if let target { try? BindMount.unmount(target) }
                _ = try? driver.call("unmount", .object(payload))
                throw error
            }
            return target ?? mountpoint
        }
    }

    /// Releases holder `id`'s mount; unknown ids succeed. A busy bind mount point is an error that
    /// leaves the mount in place and recorded.
    public func unmount(_ name: String, id: String) throws(VolumeError) {
        try VolumeName.validate(name)
        try exclusive { () throws(VolumeError) in
            guard var record = try store.read(name) else {
                var payload = fields(name, [:])
                payload["id"] = .string(id)
                _ = try driver.call("unmount", .object(payload))
                return
            }
            guard let index = record.mounts.firstIndex(where: { $0.id == id }) else { return }
            let mount = record.mounts[index]
            if let target = mount.target, BindMount.isMountPoint(target) {
                do throws(SystemError) {
                    try BindMount.unmount(target)
                } catch {
                    if error.errno == EBUSY {
                        throw VolumeError(.busy, "the mount point \(target) of volume \(name) is busy: a process has a file open or its working directory there",
                                          hint: "stop what uses it (`fuser -vm \(target)` shows it) and unmount again; the volume stays mounted and recorded")
                    }
                    throw VolumeError(.io, "cannot unmount \(target) of volume \(name): \(error)")
                }
            }
            var payload = fields(name, record.options)
            payload["id"] = .string(id)
            do throws(VolumeError) {
                _ = try driver.call("unmount", .object(payload))
            } catch {
                record.mounts[index].target = nil
                try store.write(record)
                throw error
            }
            record.mounts.remove(at: index)
            try store.write(record)
        }
    }

    /// The record (adopting a volume the driver has but Paddock never recorded) and the driver's view.
    public func inspect(_ name: String) throws(VolumeError) -> (record: VolumeRecord, driverState: JSONValue) {
        try VolumeName.validate(name)
        return try exclusive { () throws(VolumeError) -> (record: VolumeRecord, driverState: JSONValue) in
            let record = try recordOrAdopt(name)
            let state = try driver.call("get", request(name, record.options))
            return (record, state)
        }
    }

    /// The recorded volumes, the ones only the driver knows, and record files that are damaged.
    public func list() -> VolumeListing {
        let (records, damaged) = store.all()
        var listing = VolumeListing(records: records, unrecorded: [], damaged: damaged, driverError: nil)
        do {
            let answer = try driver.call("list", .object([:]))
            let known = Set(records.map(\.name))
            let names = (answer["volumes"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue ?? $0.stringValue }
            for name in names {
                if let index = listing.damaged.firstIndex(where: { $0.file == store.file(for: name) }) {
                    listing.damaged[index].name = name
                } else if !known.contains(name) {
                    listing.unrecorded.append(name)
                }
            }
            listing.unrecorded.sort()
        } catch {
            listing.driverError = error.description
        }
        return listing
    }

    /// The volume whose mount `target` is (kubelet's `unmount DIR` names only the directory).
    public func record(mountedAt target: String) -> (VolumeRecord, MountRecord)? {
        for record in store.all().records {
            if let mount = record.mounts.first(where: { $0.target == target }) { return (record, mount) }
        }
        return nil
    }

    private func recordOrAdopt(_ name: String) throws(VolumeError) -> VolumeRecord {
        if let record = try store.read(name) { return record }
        do {
            _ = try driver.call("get", request(name, [:]))
        } catch where error.code == .notFound {
            throw VolumeError(.notFound, "plugin \(driver.name) has no volume \(name)", hint: "create it with `paddock volume create \(name) --driver \(driver.name)`")
        }
        let record = VolumeRecord(name: name, driver: driver.name, options: [:], createdAt: Self.now())
        try store.write(record)
        return record
    }

    private func fields(_ name: String, _ options: [String: String]) -> [String: JSONValue] {
        ["name": .string(name), "options": .object(options.mapValues { .string($0) })]
    }

    private func request(_ name: String, _ options: [String: String]) -> JSONValue {
        .object(fields(name, options))
    }

    private func exclusive<T>(_ body: () throws(VolumeError) -> T) throws(VolumeError) -> T {
        do {
            return try store.locked { try body() }
        } catch let error as VolumeError {
            throw error
        } catch {
            throw VolumeError(.io, "cannot lock the volume records of plugin \(driver.name) in \(store.directory): \(error)")
        }
    }

    static func describe(_ options: [String: String]) -> String {
        options.isEmpty ? "none" : options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}

/// What `list` finds.
public struct VolumeListing: Sendable {
    public var records: [VolumeRecord]
    /// Volumes the driver lists that Paddock holds no record of (made by `plugin invoke`, say).
    public var unrecorded: [String]
    public var damaged: [VolumeRecordStore.Damaged]
    public var driverError: String?
}
