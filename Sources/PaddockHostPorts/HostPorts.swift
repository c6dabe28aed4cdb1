import PaddockPosix

/// What a change did beyond the rules: conntrack flows removed, and problems that did not stop it.
public struct HostPortsReport: Sendable, Equatable {
    public var flowsRemoved = 0
    public var warnings: [String] = []

    public init(flowsRemoved: Int = 0, warnings: [String] = []) {
        self.flowsRemoved = flowsRemoved
        self.warnings = warnings
    }
}

/// Host ports and host NAT for one network driver — the one call a driver makes on ADD and DEL.
/// Every change re-renders the driver's whole nftables table from the records in its store and
/// replaces it in one `nft -f` transaction; the store is written only after the kernel took the
/// rules, and the old rules are restored when that write fails, so nothing is half-applied.
public final class HostPorts: @unchecked Sendable {
    public let settings: HostNATSettings
    let store: any HostPortRecordStore
    let runner: NamespaceCommand

    let marker: HostSetupMarker

    public init(settings: HostNATSettings, store: any HostPortRecordStore) {
        self.settings = settings
        self.store = store
        runner = NamespaceCommand(namespacePath: settings.namespacePath)
        marker = HostSetupMarker(settings: settings)
    }

    /// ADD: publish `mappings` for the container at `address` (an empty list still sets up host
    /// NAT). Re-attaching a container replaces its mappings; flows of dropped ones are removed.
    @discardableResult
    public func attach(container: String, address: IPv4Address, mappings: [PortMapping]) throws(HostPortsError) -> HostPortsReport {
        try ContainerPorts.validate(container: container)
        try settings.validate()
        let record = ContainerPorts(container: container, address: address, mappings: Self.unique(mappings))
        return try locked { () throws(HostPortsError) in
            if record.mappings.isEmpty, try store.record(container: container) == nil {
                // Nothing to publish: only make sure the host NAT is in place (once per boot and namespace).
                if !marker.isCurrent { try apply(try store.records()) }
                return HostPortsReport()
            }
            let current = try store.records()
            try Self.checkConflicts(record, against: current)
            let old = current.first { $0.container == container }
            let next = current.filter { $0.container != container } + [record]
            try apply(next)
            do throws(HostPortsError) {
                try store.save(record)
            } catch {
                try? apply(current)
                throw error
            }
            let dropped = old.map { old in old.mappings.filter { !record.mappings.contains($0) || old.address != address } } ?? []
            return flush(old, dropped)
        }
    }

    /// DEL: withdraw the container's mappings and remove their conntrack flows. Succeeds when the
    /// container has none (DEL is repeated and best effort).
    @discardableResult
    public func detach(container: String) throws(HostPortsError) -> HostPortsReport {
        try ContainerPorts.validate(container: container)
        try settings.validate()
        return try locked { () throws(HostPortsError) in
            let current = try store.records()
            guard let old = current.first(where: { $0.container == container }) else { return HostPortsReport() }
            // Withdrawing changes no subnet: the FORWARD exemption and sysctls stay as they are.
            try apply(current.filter { $0.container != container }, hostSetup: false)
            do throws(HostPortsError) {
                try store.remove(container: container)
            } catch {
                try? apply(current, hostSetup: false)
                throw error
            }
            return flush(old, old.mappings)
        }
    }

    /// Re-applies the table from the store (at start, after a reboot, on metadata changes).
    public func reconcile() throws(HostPortsError) {
        try settings.validate()
        try locked { () throws(HostPortsError) in try apply(try store.records()) }
    }

    /// Removes the driver's table and FORWARD exemption (the driver is going away). Records stay.
    public func teardown() throws(HostPortsError) {
        try locked { () throws(HostPortsError) in
            marker.clear()
            try runner.run("nft", ["-f", "-"], stdin: NFTablesRuleset.deletion(settings))
            try ForwardExemption.remove(settings, runner)
        }
    }

    /// The table as the kernel has it now (`nft list table`), or nil when it does not exist.
    public func installedTable() throws(HostPortsError) -> String? {
        let outcome = try runner.attempt("nft", ["list", "table", "ip", settings.tableName])
        return outcome.status == 0 ? outcome.stdout : nil
    }

    func apply(_ records: [ContainerPorts], hostSetup: Bool = true) throws(HostPortsError) {
        try runner.run("nft", ["-f", "-"], stdin: NFTablesRuleset.script(settings, records))
        guard hostSetup else { return }
        try ForwardExemption.apply(settings, runner)
        for interface in settings.localnetInterfaces {
            _ = try runner.attempt("sysctl", ["-qw", "net.ipv4.conf.\(interface).route_localnet=1"])
        }
        marker.record()
    }

    func flush(_ record: ContainerPorts?, _ mappings: [PortMapping]) -> HostPortsReport {
        var report = HostPortsReport()
        guard let record else { return report }
        for mapping in mappings {
            do {
                report.flowsRemoved += try ConntrackFlush.flush(record, mapping, runner)
            } catch {
                report.warnings.append(error.description)
            }
        }
        return report
    }

    func locked<T>(_ body: () throws(HostPortsError) -> T) throws(HostPortsError) -> T {
        let directory = AtomicFile.parentDirectoryPath(of: settings.lockPath)
        do {
            try FileSystem.makeDirectories(directory, mode: 0o755)
        } catch {
            throw HostPortsError(.command, "cannot create the lock directory \(directory): \(error)", hint: "run as root or set lockPath")
        }
        var failure: HostPortsError?
        var value: T?
        do {
            try FileLock.withExclusiveLock(settings.lockPath) {
                do throws(HostPortsError) { value = try body() } catch { failure = error }
            }
        } catch {
            throw HostPortsError(.command, "cannot lock \(settings.lockPath): \(error)", hint: "run as root or set lockPath")
        }
        if let failure { throw failure }
        return value!
    }

    static func unique(_ mappings: [PortMapping]) -> [PortMapping] {
        var seen = Set<PortMapping>()
        return mappings.filter { seen.insert($0).inserted }
    }

    /// The same published port twice: in one container's list, or claimed by another container.
    /// A mapping on 0.0.0.0 collides with one on a specific address for the same port.
    static func checkConflicts(_ record: ContainerPorts, against current: [ContainerPorts]) throws(HostPortsError) {
        let others = current.filter { $0.container != record.container }
        for (index, mapping) in record.mappings.enumerated() {
            for earlier in record.mappings[..<index] where overlaps(mapping, earlier) {
                throw HostPortsError(.conflict, "container \(record.container) publishes \(mapping.key) twice (\(earlier) and \(mapping))",
                                     hint: "keep one mapping per host address, port and protocol")
            }
            for other in others {
                if let clash = other.mappings.first(where: { overlaps(mapping, $0) }) {
                    throw HostPortsError(.conflict, "host port \(mapping.key) of container \(record.container) is already published by container \(other.container) (\(clash))",
                                         hint: "choose another host port or remove container \(other.container) first")
                }
            }
        }
    }

    static func overlaps(_ a: PortMapping, _ b: PortMapping) -> Bool {
        a.hostPort == b.hostPort && a.proto == b.proto && (a.hostIP == nil || b.hostIP == nil || a.hostIP == b.hostIP)
    }
}
