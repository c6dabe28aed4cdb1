import Glibc
import PaddockPluginKit
import PluginABI
import StorageNFSCore

/// Mount and unmount with refcounts by id, safe across paddock processes (the CLI, the volume
/// plugin server): the one who turns a target's entry to "mounting" or "unmounting" with
/// compare-and-swap does the work; the others wait for it (bounded), so a target is never mounted
/// twice nor unmounted under a new user.
extension NFSDriver {
    static let mounting = "mounting", unmounting = "unmounting"

    func mount(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try name(request)
        let id = try mountID(request)
        let target = try target(request, name)
        let deadline = Clock.seconds() + Double(settings.timeoutSeconds) + 10
        while true {
            guard let (record, bytes) = try store.read(name.value) else {
                throw DriverError(code: PADDOCK_E_UNKNOWN_CONTAINER, "nfs: no volume named \(name)", details: "create it first (storage.create)")
            }
            var changed = record
            let index = record.mounts.firstIndex { $0.target == target }
            if let index {
                let entry = record.mounts[index]
                let busyElsewhere = entry.via == Self.mounting || entry.via == Self.unmounting
                if busyElsewhere && Clock.seconds() < deadline {
                    usleep(50_000)  // another process is mounting or unmounting this target
                    continue
                }
                if !busyElsewhere && MountTable.isMounted(target) {
                    if entry.ids.contains(id) { return mounted(target, entry.via) }
                    changed.mounts[index].ids.append(id)
                    if try store.swap(name.value, bytes, changed) { return mounted(target, entry.via) }
                    continue
                }
                // Recorded but not mounted (a reboot, a killed helper) or a claim that went stale: take it over.
                changed.mounts[index].via = Self.mounting
                if !changed.mounts[index].ids.contains(id) { changed.mounts[index].ids.append(id) }
            } else {
                changed.mounts.append(VolumeRecord.Mount(target: target, via: Self.mounting, ids: [id]))
            }
            guard try store.swap(name.value, bytes, changed) else { continue }
            return try mountClaimed(record.spec, target: target, id: id)
        }
    }

    private func mounted(_ target: String, _ via: String) -> JSONValue {
        .object(["mountpoint": .string(target), "via": .string(via)])
    }

    /// We hold the "mounting" claim on `target`: mount, then record how, or drop our id on failure.
    private func mountClaimed(_ spec: VolumeSpec, target: String, id: String) throws(DriverError) -> JSONValue {
        let via: String
        do {
            via = MountTable.isMounted(target) ? (MountTable.type(at: target)?.hasPrefix("fuse") == true ? "fuse" : "kernel")
                                               : try mounter.mount(spec, on: target)
        } catch {
            _ = try? store.update(spec.name.value) { (record: inout VolumeRecord) throws(DriverError) in
                guard let index = record.mounts.firstIndex(where: { $0.target == target }) else { return }
                record.mounts[index].ids.removeAll { $0 == id }
                if record.mounts[index].ids.isEmpty { record.mounts.remove(at: index) } else { record.mounts[index].via = "" }
            }
            throw error
        }
        try store.update(spec.name.value) { (record: inout VolumeRecord) throws(DriverError) in
            if let index = record.mounts.firstIndex(where: { $0.target == target }) { record.mounts[index].via = via }
        }
        return mounted(target, via)
    }

    func unmount(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try name(request)
        let id = try mountID(request)
        let wanted = request["target"]?.stringValue
        let deadline = Clock.seconds() + Double(settings.timeoutSeconds) + 10
        while true {
            guard let (record, bytes) = try store.read(name.value),
                  let index = record.mounts.firstIndex(where: { $0.ids.contains(id) && (wanted == nil || $0.target == wanted) }) else {
                return .object([:])  // unmount of something absent succeeds
            }
            let entry = record.mounts[index]
            if (entry.via == Self.mounting || entry.via == Self.unmounting) && Clock.seconds() < deadline {
                usleep(50_000)
                continue
            }
            var changed = record
            if entry.ids != [id] {
                changed.mounts[index].ids.removeAll { $0 == id }
                if try store.swap(name.value, bytes, changed) { return .object([:]) }
                continue
            }
            // The last user: claim, unmount, then drop the entry; busy puts it back as it was.
            changed.mounts[index].via = Self.unmounting
            guard try store.swap(name.value, bytes, changed) else { continue }
            do {
                try mounter.unmount(entry.target, volume: name.value)
            } catch {
                let claimed = entry.via == Self.mounting || entry.via == Self.unmounting
                let restored = claimed ? (MountTable.type(at: entry.target)?.hasPrefix("fuse") == true ? "fuse" : "kernel") : entry.via
                _ = try? store.update(name.value) { (record: inout VolumeRecord) throws(DriverError) in
                    if let at = record.mounts.firstIndex(where: { $0.target == entry.target }) { record.mounts[at].via = restored }
                }
                throw error
            }
            try store.update(name.value) { (record: inout VolumeRecord) throws(DriverError) in
                record.mounts.removeAll { $0.target == entry.target }
            }
            return .object([:])
        }
    }
}
