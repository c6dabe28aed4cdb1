import IPsecCore
import PaddockPluginKit

/// Where the PSK comes from, in order: the enable config, the environment's metadata
/// (`ipsec_psk`, shared by every host), or one generated once and kept in the plugin's store.
/// A generated key lives in this host's store only, so it serves a host without peers; with peers
/// it is refused (they would fail to authenticate, silently) until one of the first two is set.
enum PresharedKey {
    static let storeKey = "psk"

    static func resolve(settings: IPsecSettings, host: HostClient, peerCount: Int) throws(DriverError) -> (key: String, source: String) {
        if let configured = settings.psk { return (configured, "enable config") }
        if let shared = try host.metadata(.object(["type": "environment"]))["ipsec_psk"]?.stringValue {
            do {
                try IPsecSettings.validatePSK(shared)
            } catch {
                throw .invalidConfig("the environment's ipsec_psk is unusable: \(error.message)", details: error.fix)
            }
            return (shared, "environment metadata")
        }
        guard peerCount == 0 else {
            throw .invalidConfig(
                "ipsec: \(peerCount) peer host\(peerCount == 1 ? "" : "s") and no shared pre-shared key",
                details: "a key generated here stays in this host's store, so the peers could not authenticate; set the same "
                    + "`psk` in every host's enable config, or `ipsec_psk` in the environment metadata (\"environment\" in "
                    + "metadata.json, or the environment record in etcd)")
        }
        if let stored = try host.get(storeKey) { return (String(decoding: stored, as: UTF8.self), "plugin store") }
        let generated = try System.randomBytes(32).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
        }.joined()
        if try host.compareAndSwap(storeKey, expected: nil, value: Array(generated.utf8)) {
            host.log(.info, "generated a pre-shared key and stored it in the plugin store (key \"\(storeKey)\")")
            return (generated, "generated")
        }
        guard let raced = try host.get(storeKey) else { throw .internalError("the stored psk vanished") }
        return (String(decoding: raced, as: UTF8.self), "plugin store")
    }
}
