import IPsecCore
import PaddockPluginKit
import PluginABI

/// Container addresses from this host's block, claimed with compare-and-swap in the plugin store:
/// `lease/<ip>` → owner and `owner/<containerId>/<ifName>` → ip.
struct Leases {
    let host: HostClient
    let subnet: IPv4Subnet?

    func address(of owner: String) throws(DriverError) -> IPv4? {
        try host.get("owner/\(owner)").flatMap { IPv4(String(decoding: $0, as: UTF8.self)) }
    }

    func lease(for owner: String) throws(DriverError) -> IPv4 {
        if let existing = try address(of: owner) { return existing }
        guard let subnet else { throw .internalError("leasing without a subnet") }
        var candidate = IPv4(subnet.firstHost.value + 1)  // .1 is the bridge's gateway
        while candidate <= subnet.lastHost {
            if try host.compareAndSwap("lease/\(candidate)", expected: nil, value: Array(owner.utf8)) {
                try host.put("owner/\(owner)", Array(candidate.description.utf8))
                return candidate
            }
            candidate = IPv4(candidate.value + 1)
        }
        throw DriverError(code: PADDOCK_E_TRY_AGAIN, "ipsec: no free address in \(subnet)",
                          details: "release addresses (network del / gc) or give hosts larger blocks (host_prefix)")
    }

    func release(_ owner: String) throws(DriverError) {
        if let address = try address(of: owner) { try host.delete("lease/\(address)") }
        try host.delete("owner/\(owner)")
    }

    func owners() throws(DriverError) -> [String] {
        try host.keys(prefix: "owner/").map { String($0.dropFirst("owner/".count)) }
    }
}
