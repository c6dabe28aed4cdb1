import Glibc
import PaddockJSON
import PaddockNetlink

/// Container addresses from this host's block. One store key per network, `ipam/<network>`,
/// holds the lease table `{"<ip>": "<containerId>/<ifName>"}` and is replaced with
/// compare-and-swap, so concurrent `paddock` processes never hand out one address twice, and an
/// ADD or a DEL costs one store write (each write is an fsync'd file replacement). Addresses are
/// unique across hosts because each host leases only inside its own block. A table holds about
/// 10 000 leases within the store's 1 MiB value limit.
public struct IPAM {
    public let store: LeaseStore
    public let network: String

    public init(store: LeaseStore, network: String) {
        self.store = store
        self.network = network
    }

    private var key: String { "ipam/\(network)" }

    /// The address leased to `owner`, if any.
    public func lease(of owner: String) throws(NetworkError) -> IPv4Address? {
        try table().leases.first { $0.value == owner }.map(\.key)
    }

    /// Every lease: address → owner.
    public func leases() throws(NetworkError) -> [IPv4Address: String] { try table().leases }

    /// Every owner holding a lease on this network.
    public func owners() throws(NetworkError) -> [String] { Array(Set(try table().leases.values)).sorted() }

    /// The owner's existing lease inside `block`, or the lowest free address of it.
    public func acquire(owner: String, block: IPv4Network) throws(NetworkError) -> IPv4Address {
        try update { leases throws(NetworkError) -> IPv4Address? in
            if let existing = leases.first(where: { $0.value == owner && block.contains($0.key) }) { return existing.key }
            var candidate = AddressBlocks.firstLeasable(block).value
            let last = AddressBlocks.lastLeasable(block).value
            while candidate <= last {
                let address = IPv4Address(candidate)
                if leases[address] == nil {
                    leases[address] = owner
                    return address
                }
                candidate += 1
            }
            throw NetworkError(.tryAgain, "no free address in block \(block) of network \(network)",
                               details: "release leases (network del / gc) or use a larger block (smaller blockPrefix)")
        }!
    }

    /// Frees the owner's leases; nothing to do when there are none (DEL is idempotent).
    public func release(owner: String) throws(NetworkError) {
        _ = try update { leases throws(NetworkError) -> IPv4Address? in
            let mine = leases.filter { $0.value == owner }.map(\.key)
            for address in mine { leases[address] = nil }
            return mine.first
        }
    }

    private struct Table {
        var text: String?
        var leases: [IPv4Address: String]
    }

    private func table() throws(NetworkError) -> Table {
        let text = try store.value(key)
        guard let text else { return Table(text: nil, leases: [:]) }
        guard let object = (try? JSONValue(parsing: text))?.objectValue else {
            throw NetworkError(.io, "the lease table \(key) in the store is not a JSON object",
                               details: "repair or delete the key (leases would be forgotten)")
        }
        var leases: [IPv4Address: String] = [:]
        for (address, owner) in object {
            if let ip = IPv4Address(address), let owner = owner.stringValue { leases[ip] = owner }
        }
        return Table(text: text, leases: leases)
    }

    /// Read, change, compare-and-swap; again when another process wrote in between.
    private func update(_ change: (inout [IPv4Address: String]) throws(NetworkError) -> IPv4Address?) throws(NetworkError) -> IPv4Address? {
        for attempt in 0..<1000 {
            let current = try table()
            var leases = current.leases
            let result = try change(&leases)
            if leases == current.leases { return result }
            let object = JSONValue.object(Dictionary(uniqueKeysWithValues: leases.map { ($0.key.description, JSONValue.string($0.value)) }))
            let text = leases.isEmpty ? "{}" : object.serialized()
            if try store.compareAndSwap(key, expected: current.text, value: text) { return result }
            usleep(UInt32(100 + (attempt % 10) * 100 + Int.random(in: 0..<500))) // another process won the race
        }
        throw NetworkError(.tryAgain, "the lease table \(key) kept changing under this process", details: "retry the operation")
    }
}
