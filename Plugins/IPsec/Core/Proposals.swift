/// rancher-net's IKEv2 and ESP proposals, GCM first, dropped when the data path cannot do AEAD.
public enum Proposals {
    public static func ike(gcm: Bool) -> [String] {
        (gcm ? ["aes128gcm16-prfsha256-modp2048"] : []) + ["aes128-sha1-modp2048"]
    }

    public static func esp(gcm: Bool) -> [String] {
        (gcm ? ["aes128gcm16-modp2048"] : []) + ["aes128-sha1-modp2048"]
    }
}

/// rancher-net's rekeying: IKE every 4 h, CHILD every 1 h — but only on one side: the host whose
/// address sorts higher waits 8760 h, so the two ends never rekey the same SA at once.
public struct RekeyPolicy: Equatable, Sendable {
    public var ikeRekey: String
    public var childRekey: String

    public static func between(local: IPv4, remote: IPv4) -> RekeyPolicy {
        local > remote ? RekeyPolicy(ikeRekey: "8760h", childRekey: "8760h") : RekeyPolicy(ikeRekey: "4h", childRekey: "1h")
    }
}
