import PaddockPluginKit
import PluginABI
import StorageEBSCore

/// mount and unmount, refcounted by the caller's ID: the first mount attaches, formats a new
/// volume (`mkfs.ext4`, never one from a snapshot) and mounts; the last unmount unmounts and
/// detaches, as rancher-ebs does.
extension EBSDriver {
    func mount(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try name(request)
        let id = try callerID(request)
        let target = request["target"]?.stringValue
        if let target, !target.hasPrefix("/") || target.split(separator: "/").contains("..") {
            throw .invalidConfig("ebs: volume \(name): target \"\(target)\" must be an absolute path without \"..\"")
        }
        return try locked(name) { () throws(DriverError) -> JSONValue in
            guard var record = try record(name) else { throw unknown(name) }
            let settings = try settings()
            if let mountpoint = record.mountpoint, System.isMountPoint(mountpoint) {
                if let target, target != mountpoint {
                    throw DriverError(code: PADDOCK_E_BUSY, "ebs: volume \(name) is mounted at \(mountpoint), not \(target)",
                                      details: "an EBS volume is mounted once per host; use its mountpoint")
                }
                if !record.mountIDs.contains(id) { record.mountIDs.append(id) }
                try save(record)
                return .object(["mountpoint": .string(mountpoint)])
            }
            record = try attachVolume(record)
            guard let device = record.blockDevice else { throw .internalError("ebs: volume \(name) attached without a block device") }
            try formatIfNew(record, device: device, settings: settings)
            let mountpoint = target ?? settings.mountRoot + "/" + name.value
            try System.makeDirectories(mountpoint)
            try System.mountExt4(device, at: mountpoint)
            record.mountpoint = mountpoint
            record.mountIDs = [id]
            try save(record)
            emit("storage.volume.mounted", ["name": .string(name.value), "mountpoint": .string(mountpoint), "id": .string(id)])
            return .object(["mountpoint": .string(mountpoint)])
        }
    }

    func unmount(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try name(request)
        let id = try callerID(request)
        return try locked(name) { () throws(DriverError) -> JSONValue in
            guard var record = try record(name) else { return .object([:]) }
            guard record.mountIDs.contains(id) else { return .object(["mountIds": .array(record.mountIDs.map { .string($0) })]) }
            if record.mountIDs.count > 1 {
                record.mountIDs.removeAll { $0 == id }
                try save(record)
                return .object(["mountIds": .array(record.mountIDs.map { .string($0) })])
            }
            if let mountpoint = record.mountpoint {
                // The ID stays recorded until the unmount succeeds, so the record matches the host.
                if try System.unmount(mountpoint) == .busy {
                    throw DriverError(code: PADDOCK_E_BUSY, "ebs: volume \(name): \(mountpoint) is busy",
                                      details: "stop what uses it (fuser -vm \(mountpoint)) and unmount again")
                }
            }
            record.mountIDs = []
            record.mountpoint = nil
            try save(record)
            record = try detachVolume(record)
            emit("storage.volume.unmounted", ["name": .string(name.value), "id": .string(id)])
            return .object(["mountIds": []])
        }
    }

    /// Docker's mount ID, else FlexVolume's target directory, else one anonymous holder.
    func callerID(_ request: JSONValue) throws(DriverError) -> String {
        let id = request["id"]?.stringValue ?? request["target"]?.stringValue ?? "-"
        guard !id.isEmpty, id.utf8.count <= 1024, !id.utf8.contains(0) else {
            throw .invalidConfig("ebs: the mount id must be 1–1024 bytes without NUL")
        }
        return id
    }

    /// mkfs.ext4 on a volume that has no filesystem yet; a volume made from a snapshot keeps its
    /// data and is never formatted (rancher-ebs), so one without a filesystem is an error.
    private func formatIfNew(_ record: VolumeRecord, device: String, settings: EBSSettings) throws(DriverError) {
        let probe = try System.run("/sbin/blkid", ["-p", "-o", "value", "-s", "TYPE", device], timeoutSeconds: 30)
        let type = probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if probe.status == 0, !type.isEmpty {
            guard type == "ext4" else {
                throw .io("ebs: volume \(record.name): \(device) holds a \(type) filesystem; this driver mounts ext4 only")
            }
            return
        }
        if record.options.snapshotID != nil {
            throw .io("ebs: volume \(record.name): \(device) (from snapshot \(record.options.snapshotID!)) has no filesystem; it is not formatted, to keep its data",
                      details: "check that the snapshot holds an ext4 filesystem")
        }
        let outcome = try System.run(settings.mkfs, ["-q", "-F", device], timeoutSeconds: 600)
        guard outcome.status == 0 else {
            throw .io("ebs: volume \(record.name): \(settings.mkfs) \(device) exited \(outcome.status): \(outcome.stderr.prefix(400))")
        }
        host.log(.info, "formatted \(device) (\(record.volumeID)) as ext4")
        emit("storage.volume.formatted", ["name": .string(record.name), "volumeId": .string(record.volumeID), "device": .string(device)])
    }
}

import Foundation
