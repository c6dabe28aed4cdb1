/// swanctl.conf with one connection per remote host and one PSK entry per pair. One key per line:
/// swanctl's parser rejects several `key = value` pairs on a line.
public struct SwanctlConfig: Sendable {
    public var me: PeerHost
    public var peers: [PeerHost]
    public var psk: String
    public var gcm: Bool

    public init(me: PeerHost, peers: [PeerHost], psk: String, gcm: Bool) {
        self.me = me
        self.peers = peers
        self.psk = psk
        self.gcm = gcm
    }

    /// The PSK hex-encoded (swanctl's `0x` form), so no byte of it needs quoting.
    public static func hexSecret(_ psk: String) -> String {
        "0x" + psk.utf8.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
        }.joined()
    }

    public func render() -> String {
        var lines = ["connections {"]
        for peer in peers {
            let rekey = RekeyPolicy.between(local: me.address, remote: peer.address)
            lines += [
                "  \(peer.connectionName) {",
                "    version = 2",
                "    local_addrs = \(me.address)",
                "    remote_addrs = \(peer.address)",
                "    encap = yes",
                "    proposals = \(Proposals.ike(gcm: gcm).joined(separator: ","))",
                "    dpd_delay = 10s",
                "    keyingtries = 0",
                "    rekey_time = \(rekey.ikeRekey)",
                "    local {",
                "      auth = psk",
                "      id = \(me.address)",
                "    }",
                "    remote {",
                "      auth = psk",
                "      id = \(peer.address)",
                "    }",
                "    children {",
                "      \(peer.connectionName) {",
                "        mode = tunnel",
                "        local_ts = \(me.subnet)",
                "        remote_ts = \(peer.subnet)",
                "        esp_proposals = \(Proposals.esp(gcm: gcm).joined(separator: ","))",
                "        rekey_time = \(rekey.childRekey)",
                "        replay_window = 1024",
                "        dpd_action = restart",
                "        close_action = restart",
                "        start_action = start",
                "      }",
                "    }",
                "  }",
            ]
        }
        lines += ["}", "secrets {"]
        let secret = Self.hexSecret(psk)
        for (index, peer) in peers.enumerated() {
            lines += [
                "  ike-\(index + 1) {",
                "    id-1 = \(me.address)",
                "    id-2 = \(peer.address)",
                "    secret = \(secret)",
                "  }",
            ]
        }
        lines += ["}"]
        return lines.joined(separator: "\n") + "\n"
    }
}
