import Foundation

/// Where a driver keeps its containers' port records (its per-plugin key-value store).
public protocol HostPortRecordStore {
    func records() throws(HostPortsError) -> [ContainerPorts]
    /// One container's record (the common ADD without mappings needs no more).
    func record(container: String) throws(HostPortsError) -> ContainerPorts?
    func save(_ record: ContainerPorts) throws(HostPortsError)
    func remove(container: String) throws(HostPortsError)
}

extension HostPortRecordStore {
    public func record(container: String) throws(HostPortsError) -> ContainerPorts? {
        try records().first { $0.container == container }
    }
}

/// A record store over any key-value store given as closures, so a driver wires its host's
/// `kv_*` services in a few lines and this library needs no SDK: key `hostports/<container>`,
/// value the record as JSON.
public struct KeyValueRecordStore: HostPortRecordStore {
    public typealias Keys = (_ prefix: String) throws -> [String]
    public typealias Get = (_ key: String) throws -> [UInt8]?
    public typealias Put = (_ key: String, _ value: [UInt8]) throws -> Void
    public typealias Delete = (_ key: String) throws -> Void

    public let prefix: String
    let keys: Keys, get: Get, put: Put, delete: Delete

    public init(prefix: String = "hostports/", keys: @escaping Keys, get: @escaping Get, put: @escaping Put,
                delete: @escaping Delete) {
        self.prefix = prefix
        self.keys = keys
        self.get = get
        self.put = put
        self.delete = delete
    }

    public func records() throws(HostPortsError) -> [ContainerPorts] {
        var found: [ContainerPorts] = []
        for key in try wrap("list \(prefix)*", { try keys(prefix) }) {
            if let record = try read(key) { found.append(record) }
        }
        return found
    }

    public func record(container: String) throws(HostPortsError) -> ContainerPorts? {
        try read(prefix + container)
    }

    private func read(_ key: String) throws(HostPortsError) -> ContainerPorts? {
        guard let bytes = try wrap("read \(key)", { try get(key) }) else { return nil }
        do {
            return try JSONDecoder().decode(ContainerPorts.self, from: Data(bytes))
        } catch {
            throw HostPortsError(.store, "host-port record \(key) is unreadable: \(error)",
                                 hint: "delete the key from the driver's store and re-add the container")
        }
    }

    public func save(_ record: ContainerPorts) throws(HostPortsError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(record)) } catch {
            throw HostPortsError(.store, "host-port record of \(record.container) does not encode: \(error)")
        }
        try wrap("write \(prefix)\(record.container)", { try put(prefix + record.container, bytes) })
    }

    public func remove(container: String) throws(HostPortsError) {
        try wrap("delete \(prefix)\(container)", { try delete(prefix + container) })
    }

    private func wrap<T>(_ what: String, _ body: () throws -> T) throws(HostPortsError) -> T {
        do { return try body() } catch {
            throw HostPortsError(.store, "host-port store: \(what) failed: \(error)", hint: "check the driver's state directory")
        }
    }
}
