import PaddockNetworkCore
import PaddockPluginKit

/// The host's per-plugin store as the network core's `LeaseStore` (IPAM lives there); shared by
/// the Swift network drivers.
public struct HostLeaseStore: LeaseStore {
    let host: HostClient

    public init(host: HostClient) { self.host = host }

    public func value(_ key: String) throws(NetworkError) -> String? {
        try wrap { () throws(DriverError) in try host.get(key).map { String(decoding: $0, as: UTF8.self) } }
    }

    public func compareAndSwap(_ key: String, expected: String?, value: String) throws(NetworkError) -> Bool {
        try wrap { () throws(DriverError) in try host.compareAndSwap(key, expected: expected.map { Array($0.utf8) }, value: Array(value.utf8)) }
    }

    public func put(_ key: String, _ value: String) throws(NetworkError) {
        try wrap { () throws(DriverError) in try host.put(key, Array(value.utf8)) }
    }

    public func remove(_ key: String) throws(NetworkError) {
        try wrap { () throws(DriverError) in try host.delete(key) }
    }

    public func keys(prefix: String) throws(NetworkError) -> [String] {
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
