/// What one container publishes on this host: kept in the driver's store, one record per container.
public struct ContainerPorts: Hashable, Sendable, Codable {
    public var container: String
    public var address: IPv4Address
    public var mappings: [PortMapping]

    public init(container: String, address: IPv4Address, mappings: [PortMapping]) {
        self.container = container
        self.address = address
        self.mappings = mappings
    }

    /// Container IDs go into store keys and rule comments: CNI's alphabet, bounded.
    public static func validate(container: String) throws(HostPortsError) {
        let allowed = container.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || byte == 0x2d || byte == 0x2e || byte == 0x5f
        }
        guard !container.isEmpty, container.utf8.count <= 128, allowed, container != ".", container != ".." else {
            throw HostPortsError(.invalidMapping, "container ID \"\(container)\" is not usable for host ports",
                                 hint: "use 1–128 characters from A–Z a–z 0–9 _ . -")
        }
    }
}
