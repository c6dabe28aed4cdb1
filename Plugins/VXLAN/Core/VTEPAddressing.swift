import PaddockNetlink

/// rancher-net's VTEP MAC: `0e:00:` then the four octets of the host's agent IPv4, so every host
/// knows every peer's VTEP MAC from metadata alone (a locally administered unicast address).
public enum VTEPAddressing {
    public static func mac(for agentIP: IPv4Address) -> MACAddress {
        MACAddress(bytes: [0x0e, 0x00] + agentIP.bytes)!
    }

    /// VXLAN adds 50 bytes (outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8).
    public static let overhead: UInt32 = 50
}
