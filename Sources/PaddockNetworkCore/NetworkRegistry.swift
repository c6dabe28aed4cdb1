import PaddockNetlink

/// The environments' networks known on this host (`network/<name>` → subnet in the store). A
/// network whose subnet overlaps another's is refused: two environments must never route the
/// same addresses through one host.
public struct NetworkRegistry {
    public let store: LeaseStore

    public init(store: LeaseStore) { self.store = store }

    /// Records `name` with `subnet`, or throws when it overlaps another network.
    public func register(_ name: String, subnet: IPv4Network) throws(NetworkError) {
        guard Self.isValidName(name) else {
            throw NetworkError(.invalidConfig, "network name \"\(AttachmentIdentity.printable(name))\" is malformed",
                               details: "use 1–64 letters, digits, '_', '.', '-'")
        }
        for key in try store.keys(prefix: "network/") {
            let other = String(key.dropFirst("network/".count))
            guard other != name, let text = try store.value(key), let otherSubnet = IPv4Network(text) else { continue }
            if otherSubnet.overlaps(subnet) {
                throw NetworkError(.invalidConfig, "network \(name) subnet \(subnet) overlaps network \(other) (\(otherSubnet))",
                                   details: "give each environment its own subnet, or remove \(other) first")
            }
        }
        let key = "network/\(name)"
        if let existing = try store.value(key) {
            guard existing == subnet.description else {
                throw NetworkError(.invalidConfig, "network \(name) is registered with subnet \(existing), not \(subnet)",
                                   details: "release its attachments (gc) and unregister it before changing the subnet")
            }
            return
        }
        _ = try store.compareAndSwap(key, expected: nil, value: subnet.description)
    }

    public func unregister(_ name: String) throws(NetworkError) {
        try store.remove("network/\(name)")
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && !name.contains("..") && name.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a)
                || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
    }
}
