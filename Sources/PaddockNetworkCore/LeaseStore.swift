/// The host's per-plugin key-value store as IPAM needs it (a driver adapts its `HostClient`).
/// Values are UTF-8 text. `compareAndSwap` with `expected: nil` writes only if the key is absent.
public protocol LeaseStore {
    func value(_ key: String) throws(NetworkError) -> String?
    func compareAndSwap(_ key: String, expected: String?, value: String) throws(NetworkError) -> Bool
    func put(_ key: String, _ value: String) throws(NetworkError)
    func remove(_ key: String) throws(NetworkError)
    func keys(prefix: String) throws(NetworkError) -> [String]
}
