import PaddockNetlink

/// Container addresses from this host's block, leased with compare-and-swap in the host's store
/// so concurrent `paddock` processes never hand out one address twice. Keys:
/// `lease/<network>/<ip>` → owner (`<containerId>/<ifName>`), `owner/<network>/<owner>` → ip.
/// Addresses are unique across hosts because each host leases only inside its own block.
public struct IPAM {
    public let store: LeaseStore
    public let network: String

    public init(store: LeaseStore, network: String) {
        self.store = store
        self.network = network
    }

    /// The address leased to `owner`, if any.
    public func lease(of owner: String) throws(NetworkError) -> IPv4Address? {
        try store.value(ownerKey(owner)).flatMap(IPv4Address.init)
    }

    /// The owner's existing lease, or the lowest free address of `block`.
    public func acquire(owner: String, block: IPv4Network) throws(NetworkError) -> IPv4Address {
        if let existing = try lease(of: owner), block.contains(existing) { return existing }
        let first = AddressBlocks.firstLeasable(block).value
        let last = AddressBlocks.lastLeasable(block).value
        for _ in 0..<8 {
            let taken = Set(try store.keys(prefix: leasePrefix).compactMap { IPv4Address(String($0.dropFirst(leasePrefix.count)))?.value })
            var candidate = first
            var raced = false
            while candidate <= last {
                if !taken.contains(candidate) {
                    let address = IPv4Address(candidate)
                    if try store.compareAndSwap(leaseKey(address), expected: nil, value: owner) {
                        try store.put(ownerKey(owner), address.description)
                        return address
                    }
                    raced = true // another process took it between list and swap: look again
                    break
                }
                candidate += 1
            }
            if !raced { break }
        }
        throw NetworkError(.tryAgain, "no free address in block \(block) of network \(network)",
                           details: "release leases (network del / gc) or use a larger blockPrefix")
    }

    /// Frees the owner's lease; nothing to do when there is none (DEL is idempotent).
    public func release(owner: String) throws(NetworkError) {
        if let address = try lease(of: owner), try store.value(leaseKey(address)) == owner {
            try store.remove(leaseKey(address))
        }
        try store.remove(ownerKey(owner))
    }

    /// Every owner holding a lease on this network.
    public func owners() throws(NetworkError) -> [String] {
        let prefix = "owner/\(network)/"
        return try store.keys(prefix: prefix).map { String($0.dropFirst(prefix.count)) }
    }

    private var leasePrefix: String { "lease/\(network)/" }
    private func leaseKey(_ address: IPv4Address) -> String { leasePrefix + address.description }
    private func ownerKey(_ owner: String) -> String { "owner/\(network)/\(owner)" }
}
