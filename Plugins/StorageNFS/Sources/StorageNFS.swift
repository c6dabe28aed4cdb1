import PaddockPluginKit
import PluginABI
import StorageNFSCore

let definition = PluginDefinition(
    name: "nfs", version: "0.1.0", kinds: [.storage], threadSafe: false, driver: NFSDriver.self)

@c(paddock_plugin_entry)
public func paddockPluginEntry(_ negotiation: UnsafeMutablePointer<paddock_negotiation>?) -> Int32 {
    definition.negotiate(negotiation)
}

/// rancher-nfs semantics over the storage contract: volumes are directories on an NFS server,
/// made and removed over NFS itself (libnfs), mounted for callers with refcounts by id.
final class NFSDriver: StorageDriver {
    let host: HostClient
    let settings: NFSSettings
    let store: VolumeStore
    let mounter: Mounter
    let mountDirectory: String

    init(host: HostClient, config: JSONValue) throws(DriverError) {
        self.host = host
        do {
            settings = try NFSSettings(config: config)
        } catch {
            throw .invalidConfig("nfs: \(error.message)", details: error.fix)
        }
        store = VolumeStore(host: host)
        let state = host.stateDirectory.isEmpty ? "/var/lib/paddock/plugins/nfs" : host.stateDirectory
        mountDirectory = settings.mountDir ?? "\(state)/volumes"
        mounter = Mounter(settings: settings, logDirectory: "\(state)/logs")
    }

    // MARK: Requests

    func name(_ request: JSONValue) throws(DriverError) -> VolumeName {
        guard let text = request["name"]?.stringValue else {
            throw .invalidConfig("nfs: the request has no string \"name\"", details: "pass {\"name\": \"VOLUME\", …}")
        }
        do {
            return try VolumeName(validating: text)
        } catch {
            throw .invalidConfig("nfs: \(error.message)", details: error.fix)
        }
    }

    func spec(_ name: VolumeName, _ options: JSONValue?) throws(DriverError) -> VolumeSpec {
        do {
            return try settings.volume(name, options: options)
        } catch {
            throw .invalidConfig("nfs: \(error.message)", details: error.fix)
        }
    }

    func connect(_ location: ServerLocation, _ version: NFSVersion) throws(DriverError) -> NFSConnection {
        try NFSConnection(location, version: version, timeoutSeconds: settings.timeoutSeconds)
    }

    // MARK: create / remove

    func create(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try name(request)
        let spec = try spec(name, request["options"])
        if let (existing, _) = try store.read(name.value) {
            guard existing.location == spec.location else {
                throw DriverError(code: PADDOCK_E_EXISTS, "nfs: volume \(name) exists already at \(existing.location)",
                                  details: "remove it first, or use another name")
            }
            return created(existing)
        }
        let (others, _) = try store.all()
        if let clash = others.first(where: { $0.location.overlaps(spec.location) }) {
            throw DriverError(code: PADDOCK_E_EXISTS, "nfs: volume \(name) would share \(spec.location) with volume \(clash.name) (\(clash.location))",
                              details: "two volumes never share a directory: use exportBase (a directory per volume) or another export")
        }
        let connection = try connect(spec.parent, spec.version)
        switch spec.layout {
        case .subdirectory:
            let path = "/" + name.value
            if try !connection.makeDirectory(path) {
                guard try connection.kind(path) == .directory else {
                    throw DriverError(code: PADDOCK_E_EXISTS, "nfs: \(spec.location) exists on the server and is not a directory",
                                      details: "remove or rename it on the server, or use another volume name")
                }
                host.log(.info, "volume \(name): reusing the existing directory \(spec.location)")
            }
        case .whole:
            guard try connection.kind("/") == .directory else {
                throw .io("nfs: \(spec.location) is not a directory")
            }
        }
        let record = VolumeRecord(spec: spec, createdAt: ArchiveName.timestamp(Clock.epochSeconds()))
        if try !store.insert(record), let (winner, _) = try store.read(name.value) {
            // Another process created it at the same moment.
            return created(winner)
        }
        host.log(.info, "created volume \(name) at \(spec.location)")
        return created(record)
    }

    func created(_ record: VolumeRecord) -> JSONValue {
        .object(["name": .string(record.name), "mountpoint": "", "path": .string(record.location.description)])
    }

    func remove(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try name(request)
        let found: (record: VolumeRecord, bytes: [UInt8])?
        do {
            found = try store.read(name.value)
        } catch where error.code == PADDOCK_E_DECODE {
            // A damaged record cannot say where the data is: forget it, touch nothing on the server.
            try store.delete(name.value)
            host.log(.warning, "removed the corrupt record of volume \(name); its data on the server was left alone")
            return .object(["name": .string(name.value), "onRemove": "retain",
                            "warning": .string("the record was corrupt: it was removed and the data on the server was left as it was")])
        }
        guard let record = found?.record else { return .object([:]) }
        guard record.mountCount == 0 else {
            let ids = record.mounts.flatMap(\.ids).joined(separator: ", ")
            throw DriverError(code: PADDOCK_E_BUSY, "nfs: volume \(name) is mounted (ids \(ids))", details: "unmount every id first (storage.unmount)")
        }
        var answer: [String: JSONValue] = ["name": .string(name.value), "onRemove": .string(record.onRemove.rawValue)]
        if record.onRemove != .retain {
            let spec = record.spec
            let connection = try connect(spec.parent, record.version)
            switch (record.onRemove, record.wholeExport) {
            case (.purge, false): try connection.removeTree("/" + name.value)
            case (.purge, true): try connection.removeContents("/")
            case (.archive, false):
                let archived = ArchiveName.make(volume: name.value, seconds: Clock.epochSeconds())
                if try connection.kind("/" + name.value) != nil {
                    try connection.rename("/" + name.value, "/" + archived)
                    answer["archivedAs"] = .string(spec.parent.appending(archived).description)
                }
            default: break
            }
        }
        try store.delete(name.value)
        host.log(.info, "removed volume \(name) (\(record.onRemove.rawValue))")
        return .object(answer)
    }

    // MARK: mount / unmount

    func mountID(_ request: JSONValue) throws(DriverError) -> String {
        if let id = request["id"]?.stringValue, !id.isEmpty { return id }
        if let target = request["target"]?.stringValue, !target.isEmpty { return target }
        throw .invalidConfig("nfs: the request has no mount \"id\"", details: "pass the caller's id (Docker's ID, the pod) so mounts are counted per caller")
    }

    func target(_ request: JSONValue, _ name: VolumeName) throws(DriverError) -> String {
        guard let target = request["target"]?.stringValue, !target.isEmpty else { return "\(mountDirectory)/\(name.value)" }
        guard target.hasPrefix("/"), !target.utf8.contains(0) else {
            throw .invalidConfig("nfs: target \"\(target)\" is not an absolute path", details: "pass the directory to mount on")
        }
        return target
    }

    /// NFS has nothing to attach (capabilities say "attach": false); detach, like every removal in
    /// the contract, succeeds when there is nothing to undo.
    func detach(_ request: JSONValue) throws(DriverError) -> JSONValue { .object([:]) }

    // MARK: path / get / list / capabilities

    func path(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try name(request)
        let record = try store.read(name.value)?.record
        return .object(["mountpoint": .string(record?.mounts.first?.target ?? "")])
    }

    func get(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let name = try name(request)
        guard let (record, _) = try store.read(name.value) else {
            throw DriverError(code: PADDOCK_E_UNKNOWN_CONTAINER, "nfs: no volume named \(name)", details: "storage.list shows the volumes")
        }
        return describe(record)
    }

    func describe(_ record: VolumeRecord) -> JSONValue {
        let mountPath = record.mounts.first?.via ?? (mounter.mode(for: record.version) == .fuse ? "fuse" : "kernel")
        return .object([
            "name": .string(record.name),
            "mountpoint": .string(record.mounts.first?.target ?? ""),
            "status": .object([
                "server": .string(record.location.description),
                "layout": .string(record.wholeExport ? "export" : "exportBase"),
                "onRemove": .string(record.onRemove.rawValue),
                "mntOptions": .string(record.mntOptions.joined(separator: ",")),
                "nfsVersion": .string(record.version.description),
                "createdAt": .string(record.createdAt),
                "mountPath": .string(mountPath),
                "mounts": .number(Double(record.mountCount)),
                "mountedOn": .array(record.mounts.map { mount in
                    .object(["target": .string(mount.target), "via": .string(mount.via), "ids": .array(mount.ids.map { .string($0) })])
                }),
            ]),
        ])
    }

    func list(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let (records, corrupt) = try store.all()
        var answer: [String: JSONValue] = [
            "volumes": .array(records.sorted { $0.name < $1.name }.map { record in
                .object(["name": .string(record.name), "mountpoint": .string(record.mounts.first?.target ?? "")])
            }),
        ]
        if !corrupt.isEmpty {
            answer["errors"] = .array(corrupt.map { damaged in
                let error = store.corrupt(damaged.name, damaged.reason)
                return .object(["name": .string(damaged.name), "msg": .string(error.message), "details": .string(error.details)])
            })
        }
        return .object(answer)
    }

    func capabilities(_ request: JSONValue) throws(DriverError) -> JSONValue {
        let mode = mounter.mode(for: settings.version)
        return .object(["scope": "global", "attach": false, "mountPath": .string(mode == .fuse ? "fuse" : "kernel")])
    }
}
