/// strongswan.conf for one charon: its own VICI socket and log, only the plugins it needs, and for
/// userspace ESP the fwmark split that keeps charon's own UDP packets out of the ipsec0 routes.
public struct CharonConfig: Sendable {
    public var viciSocket: String
    public var logFile: String
    public var dataPath: DataPath

    public init(viciSocket: String, logFile: String, dataPath: DataPath) {
        self.viciSocket = viciSocket
        self.logFile = logFile
        self.dataPath = dataPath
    }

    static let basePlugins = ["random", "nonce", "openssl", "pem", "pkcs1", "aes", "sha1", "sha2", "hmac", "gcm", "kdf"]
    // kdf: without it 5.9.8 fails IKE with "KDF_PRF ... not supported".

    public func render() -> String {
        let network = dataPath == .userspace ? ["kernel-libipsec", "kernel-netlink"] : ["kernel-netlink"]
        let plugins = Self.basePlugins + network + ["socket-default", "vici", "updown"]
        var lines = [
            "charon {",
            "  load = \(plugins.joined(separator: " "))",
            "  install_routes = yes",
            "  retransmit_tries = 3",
            "  plugins {",
        ]
        if dataPath == .userspace {
            lines += [
                "    kernel-libipsec {",
                "      allow_peer_ts = yes",
                "    }",
                "    kernel-netlink {",
                "      fwmark = !0x42",
                "    }",
                "    socket-default {",
                "      fwmark = 0x42",
                "    }",
            ]
        }
        lines += [
            "    vici {",
            "      socket = unix://\(viciSocket)",
            "    }",
            "  }",
            "  filelog {",
            "    paddock {",
            "      path = \(logFile)",
            "      time_format = %F %T",
            "      default = 1",
            "      flush_line = yes",
            "    }",
            "  }",
            "}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
