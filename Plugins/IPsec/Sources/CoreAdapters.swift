import IPsecCore
import PaddockNetlink
import PaddockNetworkCore
import PaddockPluginKit

/// The host's per-plugin store as the shared network core's `LeaseStore` (IPAM lives there).
struct PluginLeaseStore: LeaseStore {
    let host: HostClient

    func value(_ key: String) throws(NetworkError) -> String? {
        try wrap { () throws(DriverError) in try host.get(key).map { String(decoding: $0, as: UTF8.self) } }
    }

    func compareAndSwap(_ key: String, expected: String?, value: String) throws(NetworkError) -> Bool {
        try wrap { () throws(DriverError) in try host.compareAndSwap(key, expected: expected.map { Array($0.utf8) }, value: Array(value.utf8)) }
    }

    func put(_ key: String, _ value: String) throws(NetworkError) {
        try wrap { () throws(DriverError) in try host.put(key, Array(value.utf8)) }
    }

    func remove(_ key: String) throws(NetworkError) {
        try wrap { () throws(DriverError) in try host.delete(key) }
    }

    func keys(prefix: String) throws(NetworkError) -> [String] {
        try wrap { () throws(DriverError) in try host.keys(prefix: prefix) }
    }

    private func wrap<T>(_ body: () throws(DriverError) -> T) throws(NetworkError) -> T {
        do {
            return try body()
        } catch {
            throw NetworkError(NetworkError.Code(rawValue: error.code), error.message, details: error.details)
        }
    }
}

extension DriverError {
    init(ipsec error: NetworkError) {
        self.init(code: error.code.rawValue, "ipsec: \(error.message)", details: error.details)
    }
}

extension IPv4Subnet {
    var coreNetwork: IPv4Network { IPv4Network(IPv4Address(network.value), prefix: prefix)! }
}

extension HostNamespace {
    /// Runs rtnetlink work inside the host's namespace (on a thread that entered it, as the core
    /// requires), or right here when the host is the caller's own namespace.
    func inside<T>(_ body: () throws(NetworkError) -> T) throws(DriverError) -> T {
        guard let name else {
            do { return try body() } catch { throw DriverError(ipsec: error) }
        }
        do {
            let namespace = try NetworkNamespace(named: name)
            return try namespace.run { () throws -> T in try body() }
        } catch let error as NetworkError {
            throw DriverError(ipsec: error)
        } catch {
            throw .io("ipsec: cannot work in network namespace \(name): \(error)", details: "check that `ip netns list` shows it")
        }
    }
}
