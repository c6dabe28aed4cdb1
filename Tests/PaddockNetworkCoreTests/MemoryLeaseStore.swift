import PaddockNetworkCore

/// The store contract in memory, for the pure IPAM and registry tests.
final class MemoryLeaseStore: LeaseStore {
    var values: [String: String] = [:]
    /// A write another "process" makes just before our next compare-and-swap of that key.
    var interleavedWrite: (key: String, value: String)?

    func value(_ key: String) throws(NetworkError) -> String? { values[key] }
    func compareAndSwap(_ key: String, expected: String?, value: String) throws(NetworkError) -> Bool {
        if let write = interleavedWrite, write.key == key {
            values[key] = write.value
            interleavedWrite = nil
        }
        guard values[key] == expected else { return false }
        values[key] = value
        return true
    }
    func put(_ key: String, _ value: String) throws(NetworkError) { values[key] = value }
    func remove(_ key: String) throws(NetworkError) { values[key] = nil }
    func keys(prefix: String) throws(NetworkError) -> [String] { values.keys.filter { $0.hasPrefix(prefix) }.sorted() }
}
