import ArgumentParser
import PaddockCore
import PaddockHost
import PaddockVolume

struct VolumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume",
        abstract: "Create, mount and remove volumes of storage drivers.",
        discussion: """
            The same volumes the adapters serve: Docker (`paddock volume-plugin serve`) and kubelet \
            (`paddock flexvolume`) see what these commands do, through the records under the state \
            directory (volumes/DRIVER/). --driver names an enabled storage plugin; without it the \
            only enabled one is used. A volume name is 1-255 bytes without '/' or NUL, and not '.' \
            or '..'.
            """,
        subcommands: [VolumeCreate.self, VolumeDelete.self, VolumeMount.self, VolumeUnmount.self, VolumeList.self, VolumeInspect.self]
    )
}

/// What every volume command takes besides the global options.
struct VolumeTarget: ParsableArguments {
    @Option(help: ArgumentHelp("The storage plugin (default: the only enabled one).", valueName: "name"))
    var driver: String?
}

/// Runs `body` with the resolved driver's manager and maps errors to messages and exit codes.
func withVolumeManager<T>(_ global: GlobalOptions, _ target: VolumeTarget, _ body: (VolumeManager) throws(VolumeError) -> T) throws -> T {
    let drivers = VolumeDrivers(global: global)
    defer { drivers.runtime.shutdown() }
    let manager: VolumeManager
    do {
        manager = try drivers.manager(try drivers.resolve(target.driver))
    } catch {
        throw fail(error)
    }
    do {
        return try body(manager)
    } catch {
        throw failVolume(error)
    }
}

struct VolumeCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Provision a volume.",
        discussion: """
            -o key=value passes a per-volume option to the driver; the driver's capabilities list \
            the option names it takes, and any other is refused by name before the driver runs. \
            Creating an existing volume with the same options does nothing; with other options it \
            is an error.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: VolumeTarget
    @Argument(help: "The volume's name.") var name: String
    @Option(name: [.customShort("o"), .customLong("opt")], help: ArgumentHelp("A driver option, key=value (repeatable).", valueName: "key=value"))
    var options: [String] = []

    func run() throws {
        let record = try withVolumeManager(global, target) { manager throws(VolumeError) in
            try manager.create(name, options: try VolumeOptions.parse(options))
        }
        switch global.format {
        case .json: print(record.json.serialized(pretty: true))
        case .table: print("Created volume \(record.name) with \(record.driver).")
        }
    }
}

struct VolumeDelete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Remove a volume (the driver applies its remove policy, e.g. NFS onRemove).",
        discussion: "A mounted volume is refused; unmount every holder first. Deleting a volume that does not exist succeeds."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: VolumeTarget
    @Argument(help: "The volume's name.") var name: String

    func run() throws {
        let driver = try withVolumeManager(global, target) { manager throws(VolumeError) in
            try manager.remove(name)
            return manager.driver.name
        }
        switch global.format {
        case .json: print(JSONValue.object(["removed": .string(name), "driver": .string(driver)]).serialized(pretty: true))
        case .table: print("Removed volume \(name) of \(driver).")
        }
    }
}

struct VolumeMount: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mount",
        abstract: "Mount a volume for a holder and print where it is.",
        discussion: """
            Mounts are counted by --id, as Docker counts containers: the volume stays mounted until \
            every id has unmounted. With --target the driver's mountpoint is also bind-mounted onto \
            that directory (created if missing; needs root).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: VolumeTarget
    @Argument(help: "The volume's name.") var name: String
    @Option(help: "The holder of this mount.") var id: String = "paddock-cli"
    @Option(name: .customLong("target"), help: ArgumentHelp("Also bind-mount the volume here.", valueName: "dir"))
    var directory: String?
    @Flag(name: .customLong("read-only"), help: "Make the --target bind mount read-only.") var readOnly = false

    func run() throws {
        let path = try withVolumeManager(global, target) { manager throws(VolumeError) in
            try manager.mount(name, id: id, target: directory, readOnly: readOnly)
        }
        switch global.format {
        case .json: print(JSONValue.object(["name": .string(name), "id": .string(id), "mountpoint": .string(path)]).serialized(pretty: true))
        case .table: print(path)
        }
    }
}

struct VolumeUnmount: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unmount",
        abstract: "Release a holder's mount of a volume.",
        discussion: """
            A --target bind mount that is busy (a process has a file open or its working directory \
            there) is refused with an error; the mount stays and stays recorded. Unmounting an id \
            that holds no mount succeeds.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: VolumeTarget
    @Argument(help: "The volume's name.") var name: String
    @Option(help: "The holder of the mount.") var id: String = "paddock-cli"

    func run() throws {
        try withVolumeManager(global, target) { manager throws(VolumeError) in try manager.unmount(name, id: id) }
        switch global.format {
        case .json: print(JSONValue.object(["name": .string(name), "id": .string(id), "unmounted": true]).serialized(pretty: true))
        case .table: print("Unmounted volume \(name) for \(id).")
        }
    }
}

struct VolumeList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List volumes with their driver and mounts.",
        discussion: """
            Without --driver, every enabled storage driver. Volumes a driver has that Paddock holds \
            no record of are listed with the note "unrecorded"; a damaged record file is reported \
            (file and reason) without hiding the other volumes, and the command then exits 1.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: VolumeTarget

    func run() throws {
        let drivers = VolumeDrivers(global: global)
        defer { drivers.runtime.shutdown() }
        var rows: [[String]] = []
        var volumes: [JSONValue] = []
        var problems: [JSONValue] = []
        do {
            let names = try target.driver.map { [$0] } ?? drivers.enabledStorageDrivers()
            for name in names {
                let listing = try drivers.manager(name).list()
                for record in listing.records {
                    rows.append([record.name, name, String(record.mounts.count), record.mountpoint, record.createdAt])
                    volumes.append(record.json)
                }
                for unrecorded in listing.unrecorded {
                    rows.append([unrecorded, name, "", "", "unrecorded"])
                    volumes.append(.object(["name": .string(unrecorded), "driver": .string(name), "recorded": false]))
                }
                for damaged in listing.damaged {
                    var problem: [String: JSONValue] = ["driver": .string(name), "file": .string(damaged.file), "reason": .string(damaged.reason)]
                    if let volume = damaged.name { problem["name"] = .string(volume) }
                    problems.append(.object(problem))
                }
                if let error = listing.driverError {
                    problems.append(.object(["driver": .string(name), "reason": .string(error)]))
                }
            }
        } catch {
            throw fail(error)
        }
        switch global.format {
        case .json:
            print(JSONValue.object(["volumes": .array(volumes), "problems": .array(problems)]).serialized(pretty: true))
        case .table:
            print(TextTable(headers: ["NAME", "DRIVER", "MOUNTS", "MOUNTPOINT", "CREATED"], rows: rows).render())
        }
        for problem in problems {
            let volume = problem["name"]?.stringValue.map { " volume \($0)" } ?? ""
            let file = problem["file"]?.stringValue.map { "\(volume) record \($0)" } ?? ""
            FileHandleOutput.standardError("paddock: \(problem["driver"]?.stringValue ?? ""):\(file): \(problem["reason"]?.stringValue ?? "")\n  hint: the other volumes are unaffected; repair or delete the file")
        }
        if !problems.isEmpty { throw ExitCode(1) }
    }
}

struct VolumeInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a volume's record, its mounts and the driver's status.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: VolumeTarget
    @Argument(help: "The volume's name.") var name: String

    func run() throws {
        let (record, state) = try withVolumeManager(global, target) { manager throws(VolumeError) in try manager.inspect(name) }
        var object = record.json.objectValue ?? [:]
        object["status"] = state["status"] ?? .object([:])
        switch global.format {
        case .json:
            print(JSONValue.object(object).serialized(pretty: true))
        case .table:
            var rows = [["name", record.name], ["driver", record.driver], ["created", record.createdAt],
                        ["options", record.options.isEmpty ? "-" : record.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")],
                        ["mountpoint", record.mountpoint.isEmpty ? "-" : record.mountpoint]]
            for mount in record.mounts {
                rows.append(["mount \(mount.id)", mount.target.map { "\(mount.mountpoint) -> \($0)\(mount.readOnly ? " (ro)" : "")" } ?? mount.mountpoint])
            }
            for (key, value) in (state["status"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                rows.append(["status.\(key)", value.stringValue ?? value.serialized()])
            }
            print(TextTable(headers: ["FIELD", "VALUE"], rows: rows).render())
        }
    }
}
