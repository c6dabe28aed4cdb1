import IPsecCore
import PaddockPluginKit

/// Finds out whether the host's kernel does ESP (and AES-GCM for ESP) by adding throwaway XFRM
/// states and removing them again — the way rancher-net probes AEAD support at start.
enum DataPathProbe {
    static let source = "198.18.255.254"
    static let destination = "198.18.255.253"

    static func kernelSupport(in namespace: HostNamespace) throws(DriverError) -> KernelSupport {
        let key16 = "0x" + String(repeating: "5a", count: 16)
        let key20 = "0x" + String(repeating: "5a", count: 20)
        let spi = try System.randomBytes(3).reduce(UInt32(0x100)) { $0 << 8 | UInt32($1) }
        let esp = try probe(namespace, spi: spi, algorithm: ["enc", "cbc(aes)", key16, "auth", "hmac(sha1)", key20])
        let gcm = esp ? try probe(namespace, spi: spi + 1, algorithm: ["aead", "rfc4106(gcm(aes))", key20, "128"]) : false
        return KernelSupport(esp: esp, espGCM: gcm)
    }

    private static func probe(_ namespace: HostNamespace, spi: UInt32, algorithm: [String]) throws(DriverError) -> Bool {
        let id = ["src", source, "dst", destination, "proto", "esp", "spi", "0x" + String(spi, radix: 16)]
        let added = try namespace.ip(["xfrm", "state", "add"] + id + ["mode", "tunnel"] + algorithm)
        if added.succeeded { _ = try namespace.ip(["xfrm", "state", "delete"] + id) }
        return added.succeeded
    }
}
