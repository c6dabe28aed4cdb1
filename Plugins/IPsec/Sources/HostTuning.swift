import PaddockPluginKit

/// Host-wide settings the tunnels need: forwarding, and rp_filter loose because decrypted packets
/// arrive on ipsec0 while replies leave through the bridge. (The bridge and the containers' veths
/// are the shared core's ContainerAttach.)
enum HostTuning {
    static func apply(in namespace: HostNamespace) throws(DriverError) {
        try namespace.sysctl("net.ipv4.ip_forward", "1")
        try namespace.sysctl("net.ipv4.conf.all.rp_filter", "2")
        try namespace.sysctl("net.ipv4.conf.default.rp_filter", "2")
    }
}
