import PaddockPluginKit
import PluginABI
import StorageEBSCore

/// attach and detach: AttachVolume to a free device name, wait, find the block device; detach
/// with a bounded wait, then force.
extension EBSDriver {
    func attach(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try name(request)
        return try locked(name) { () throws(DriverError) -> JSONValue in
            guard let record = try record(name) else { throw unknown(name) }
            let attached = try attachVolume(record)
            return .object(["device": .string(attached.blockDevice ?? ""), "ec2Device": .string(attached.attachDevice ?? "")])
        }
    }

    func detach(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try name(request)
        return try locked(name) { () throws(DriverError) -> JSONValue in
            guard let record = try record(name) else { return .object([:]) }
            guard record.mountIDs.isEmpty else {
                throw DriverError(code: PADDOCK_E_BUSY, "ebs: volume \(name) is mounted (by \(record.mountIDs.joined(separator: ", "))); unmount it before detaching")
            }
            let detached = try detachVolume(record)
            return .object(["name": .string(detached.name)])
        }
    }

    var mapper: DeviceMapper {
        get throws(DriverError) {
            let s = try settings()
            return DeviceMapper(hook: s.deviceMapHook, timeout: s.deviceTimeout, interval: s.pollInterval,
                                log: { [host] level, text in host.log(level, text) })
        }
    }

    func reservationKey(_ instance: String, _ device: String) -> String {
        "device/\(instance)/\(device.split(separator: "/").last ?? "")"
    }

    /// Makes the volume attached to this instance and its block device present; idempotent.
    func attachVolume(_ given: VolumeRecord) throws(DriverError) -> VolumeRecord {
        var record = given
        let settings = try settings()
        let instance = settings.instanceID
        guard let current = try describeVolume(record.volumeID, volume: record.name) else {
            throw DriverError(code: PADDOCK_E_NOT_FOUND, "ebs: volume \(record.name): \(record.volumeID) no longer exists in EC2",
                              details: "remove the volume to forget it")
        }
        if let existing = current.attachment(to: instance), !["detaching", "detached"].contains(existing.state) {
            try require(record.volumeID, .attached(instance: instance, device: existing.device), timeout: settings.waitTimeout, volume: record.name)
            _ = try host.compareAndSwap(reservationKey(instance, existing.device), expected: nil, value: Array(record.volumeID.utf8))
            record.attachDevice = existing.device
            record.blockDevice = try mapper.locate(volumeID: record.volumeID, device: existing.device)
            try save(record)
            return record
        }
        if current.attachment(to: instance)?.state == "detaching" {
            try require(record.volumeID, .detached(instance: instance), timeout: settings.detachTimeout, volume: record.name)
        } else if let other = current.attachments.first(where: { $0.instanceID != instance && $0.state != "detached" }) {
            throw DriverError(code: PADDOCK_E_BUSY, "ebs: volume \(record.name) (\(record.volumeID)) is attached to \(other.instanceID)",
                              details: "detach it there first; an EBS volume attaches to one instance at a time")
        }
        let taken = Set(try EC2Volume.list(in: perform(.describeVolumes(attachedTo: instance), volume: record.name))
            .flatMap { $0.attachments.filter { $0.instanceID == instance }.map(\.device) })
        var refused: [String] = []
        for device in DeviceNames.attachCandidates where !taken.contains(device) {
            let key = reservationKey(instance, device)
            let mine = Array(record.volumeID.utf8)
            if !(try host.compareAndSwap(key, expected: nil, value: mine)) {
                guard try host.get(key) == mine else { continue }
            }
            let client = try ec2()
            do {
                _ = try client.perform(.attachVolume(record.volumeID, instance: instance, device: device))
            } catch {
                try host.delete(key)
                if case .service(let failure) = error, failure.isDeviceInUse {
                    host.log(.info, "\(device) is already in use on \(instance); trying the next name")
                    refused.append(device)
                    continue
                }
                throw describe(error, "AttachVolume", volume: record.name, volumeID: record.volumeID, snapshotID: nil)
            }
            record.attachDevice = device
            try save(record)
            try require(record.volumeID, .attached(instance: instance, device: device), timeout: settings.waitTimeout, volume: record.name)
            record.blockDevice = try mapper.locate(volumeID: record.volumeID, device: device)
            try save(record)
            emit("storage.volume.attached", ["name": .string(record.name), "volumeId": .string(record.volumeID),
                                             "device": .string(device), "blockDevice": .string(record.blockDevice ?? ""),
                                             "refusedDevices": .array(refused.map { .string($0) })])
            return record
        }
        throw DriverError(code: PADDOCK_E_BUSY, "ebs: volume \(record.name): no free device name on \(instance) (/dev/sdf–/dev/sdz all taken)",
                          details: "detach volumes this instance no longer uses")
    }

    /// DetachVolume, wait up to detach_timeout_seconds, then DetachVolume with Force and wait
    /// again (rancher #9760, #11328: a stuck detach must not wedge the host).
    func detachVolume(_ given: VolumeRecord) throws(DriverError) -> VolumeRecord {
        var record = given
        let settings = try settings()
        let instance = settings.instanceID
        let current = try describeVolume(record.volumeID, volume: record.name)
        let device = current?.attachment(to: instance)?.device ?? record.attachDevice ?? ""
        if let attachment = current?.attachment(to: instance), attachment.state != "detached" {
            if attachment.state != "detaching" {
                _ = try perform(.detachVolume(record.volumeID, instance: instance, force: false), volume: record.name, volumeID: record.volumeID)
            }
            switch try wait(record.volumeID, for: .detached(instance: instance), timeout: settings.detachTimeout, volume: record.name) {
            case .reached: break
            case .timedOut(let seen, _):
                host.log(.warning, "\(record.volumeID) still \(seen) after \(Int(settings.detachTimeout)) s; forcing the detach")
                emit("storage.volume.detach.forced", ["name": .string(record.name), "volumeId": .string(record.volumeID),
                                                      "lastState": .string(seen)])
                _ = try perform(.detachVolume(record.volumeID, instance: instance, force: true), volume: record.name, volumeID: record.volumeID)
                try require(record.volumeID, .detached(instance: instance), timeout: settings.waitTimeout, volume: record.name)
            case .failed(let reason):
                throw .io("ebs: volume \(record.name) (\(record.volumeID)): detach failed: \(reason)")
            }
        }
        if !device.isEmpty {
            try mapper.release(volumeID: record.volumeID, device: device)
            try host.delete(reservationKey(instance, device))
        }
        record.attachDevice = nil
        record.blockDevice = nil
        try save(record)
        emit("storage.volume.detached", ["name": .string(record.name), "volumeId": .string(record.volumeID)])
        return record
    }
}
