import PaddockPluginKit
import PluginABI
import StorageEBSCore

/// create, remove, get, list, path, capabilities.
extension EBSDriver {
    func create(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try name(request)
        let options: VolumeOptions
        do {
            options = try VolumeOptions(parsing: request["options"])
        } catch {
            throw .invalidConfig("ebs: volume \(name): \(error.message)")
        }
        return try locked(name) { () throws(DriverError) -> JSONValue in
            if let existing = try record(name) {
                guard existing.options == options else {
                    throw DriverError(code: PADDOCK_E_EXISTS, "ebs: volume \(name) exists with other options (\(existing.options.json.serialized()))",
                                      details: "remove it first or use another name")
                }
                return result(existing)
            }
            let settings = try settings()
            if let volumeID = options.volumeID {
                guard let found = try describeVolume(volumeID, volume: name.value) else {
                    throw DriverError(code: PADDOCK_E_NOT_FOUND, "ebs: volume \(name): volumeID \(volumeID) does not exist in region \(settings.region)",
                                      details: "check volumeID and region")
                }
                if let zone = found.zone, zone != settings.zone {
                    throw .invalidConfig("ebs: volume \(name): \(volumeID) is in \(zone) but this host is in \(settings.zone); EBS volumes attach only in their own zone")
                }
                let record = VolumeRecord(name: name.value, volumeID: volumeID, options: options, createdByDriver: false)
                try save(record)
                emit("storage.volume.adopted", ["name": .string(name.value), "volumeId": .string(volumeID)])
                return result(record)
            }
            return try provision(name, options, settings)
        }
    }

    /// CreateVolume → wait available → tag; the record is written as soon as the ID is known, so
    /// a failure after that leaves something `remove` can clean up.
    private func provision(_ name: VolumeName, _ options: VolumeOptions, _ settings: EBSSettings) throws(DriverError) -> JSONValue {
        // Idempotency for this create only (its retries reuse the call): a token derived from the
        // name alone would, on real EC2, hand back a deleted volume when the name is reused.
        let token = "paddock-" + String(UInt64.random(in: 1...UInt64.max), radix: 16) + String(UInt64.random(in: 1...UInt64.max), radix: 16)
        let answer = try perform(.createVolume(zone: settings.zone, options: options, clientToken: token),
                                 volume: name.value, snapshotID: options.snapshotID)
        guard let created = EC2Volume(answer) else {
            throw .io("ebs: volume \(name): CreateVolume answered without a volume ID")
        }
        let record = VolumeRecord(name: name.value, volumeID: created.id, options: options, createdByDriver: true)
        try save(record)
        host.log(.info, "created \(created.id) for \(name) in \(settings.zone)")
        try require(created.id, .available, timeout: settings.waitTimeout, volume: name.value)
        let tags = [("Name", name.value), ("paddock:volume", name.value), ("paddock:driver", host.pluginName)] + settings.tags
        _ = try perform(.createTags(resource: created.id, tags: tags), volume: name.value, volumeID: created.id)
        emit("storage.volume.created", ["name": .string(name.value), "volumeId": .string(created.id)])
        return result(record)
    }

    /// Unmounts nothing: a mounted volume is refused. Detaches if attached; deletes from EC2 only
    /// what the driver created, and only once it is `available`.
    func remove(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try name(request)
        return try locked(name) { () throws(DriverError) -> JSONValue in
            let stored: VolumeRecord?
            do {
                stored = try self.record(name)
            } catch {
                // A corrupt record cannot name its volume: forget it so the name is usable again.
                try host.delete(VolumeRecord.key(name))
                host.log(.warning, "forgot the corrupt record of \(name); its EBS volume, if any, was not touched")
                return .object(["removed": .string(name.value), "forgotCorruptRecord": true])
            }
            guard var record = stored else { return .object([:]) }
            guard record.mountIDs.isEmpty else {
                throw DriverError(code: PADDOCK_E_BUSY, "ebs: volume \(name) is mounted (by \(record.mountIDs.joined(separator: ", ")))",
                                  details: "unmount it first")
            }
            if record.attachDevice != nil {
                record = try detachVolume(record)
            }
            if record.createdByDriver {
                let settings = try settings()
                if let current = try describeVolume(record.volumeID, volume: name.value) {
                    if let other = current.attachments.first(where: { $0.instanceID != settings.instanceID && $0.state != "detached" }) {
                        throw DriverError(code: PADDOCK_E_BUSY, "ebs: volume \(name) (\(record.volumeID)) is attached to \(other.instanceID); it is deleted only when available",
                                          details: "unmount and detach it on that host first")
                    }
                    if current.state != "available" {
                        try require(record.volumeID, .available, timeout: settings.waitTimeout, volume: name.value)
                    }
                    _ = try perform(.deleteVolume(record.volumeID), volume: name.value, volumeID: record.volumeID)
                    try require(record.volumeID, .deleted, timeout: settings.waitTimeout, volume: name.value)
                }
            }
            try host.delete(VolumeRecord.key(name))
            emit("storage.volume.removed", ["name": .string(name.value), "volumeId": .string(record.volumeID),
                                            "deleted": .bool(record.createdByDriver)])
            return .object(["removed": .string(name.value), "volumeId": .string(record.volumeID), "deleted": .bool(record.createdByDriver)])
        }
    }

    func path(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try name(request)
        guard let record = try record(name) else { throw unknown(name) }
        return .object(["mountpoint": .string(record.mountpoint ?? "")])
    }

    /// The record plus EC2's view (state, attachments); an unreachable EC2 is reported, not fatal.
    func get(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try name(request)
        guard let record = try record(name) else { throw unknown(name) }
        var status = statusFields(record)
        do {
            if let volume = try describeVolume(record.volumeID, volume: name.value) {
                status["state"] = .string(volume.state)
                status["tags"] = .object(volume.tags.mapValues { .string($0) })
                status["attachments"] = .array(volume.attachments.map {
                    .object(["instanceId": .string($0.instanceID), "device": .string($0.device), "state": .string($0.state)])
                })
                if let size = volume.sizeGiB { status["sizeGiB"] = .number(Double(size)) }
            } else {
                status["state"] = "missing in EC2"
            }
        } catch {
            status["ec2Error"] = .string(error.message)
        }
        return .object(["name": .string(name.value), "mountpoint": .string(record.mountpoint ?? ""), "status": .object(status)])
    }

    /// Every record; corrupt ones are listed under "errors" and never hide the others.
    func list(_ request: JSONValue) throws(DriverError) -> JSONValue {
        var volumes: [JSONValue] = []
        var errors: [JSONValue] = []
        for key in try host.keys(prefix: VolumeRecord.keyPrefix) {
            let name = String(key.dropFirst(VolumeRecord.keyPrefix.count))
            guard let bytes = try host.get(key) else { continue }
            do {
                let record = try VolumeRecord.decode(bytes, key: key)
                volumes.append(.object(["name": .string(record.name), "mountpoint": .string(record.mountpoint ?? ""),
                                        "status": .object(statusFields(record))]))
            } catch {
                host.log(.warning, error.message)
                errors.append(.object(["name": .string(name), "error": .string(error.message)]))
            }
        }
        return .object(["volumes": .array(volumes), "errors": .array(errors)])
    }

    func capabilities(_ request: JSONValue) throws(DriverError) -> JSONValue {
        // One host at a time (an EBS volume attaches to one instance), visible environment-wide.
        .object(["scope": "global", "attach": true, "accessMode": "singleHostRW"])
    }

    func statusFields(_ record: VolumeRecord) -> [String: JSONValue] {
        var status: [String: JSONValue] = ["volumeId": .string(record.volumeID), "options": record.options.json,
                                           "createdByDriver": .bool(record.createdByDriver),
                                           "mountIds": .array(record.mountIDs.map { .string($0) })]
        if let device = record.attachDevice { status["device"] = .string(device) }
        if let block = record.blockDevice { status["blockDevice"] = .string(block) }
        return status
    }

    func result(_ record: VolumeRecord) -> JSONValue {
        .object(["name": .string(record.name), "volumeId": .string(record.volumeID)])
    }

    func unknown(_ name: VolumeName) -> DriverError {
        DriverError(code: PADDOCK_E_UNKNOWN_CONTAINER, "ebs: no volume \(name)", details: "create it first (storage.create)")
    }
}
