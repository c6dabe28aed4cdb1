import PaddockPluginKit
import PluginABI

// Extension actions (the manifest's "actions" in Manifest/manifest.c), called by
// `paddock plugin call host-local ACTION ARG…` through libffi.

/// `leases` (signature ""): every lease as {"address", "owner"}, in address order.
@c(hostlocal_leases)
public func hostLocalLeases(_ instance: UnsafeMutableRawPointer?, _ result: UnsafeMutablePointer<paddock_buffer>?) -> Int32 {
    ExtensionAction.run(instance, result, as: HostLocalDriver.self) { driver throws(DriverError) in
        try driver.leases()
    }
}

/// `release ADDRESS` (signature "s"): frees one lease, whoever holds it.
@c(hostlocal_release)
public func hostLocalRelease(_ instance: UnsafeMutableRawPointer?, _ address: UnsafePointer<CChar>?,
                             _ result: UnsafeMutablePointer<paddock_buffer>?) -> Int32 {
    ExtensionAction.run(instance, result, as: HostLocalDriver.self) { driver throws(DriverError) in
        try driver.release(try ExtensionAction.string(address, "ADDRESS"))
    }
}

extension HostLocalDriver {
    func leases() throws(DriverError) -> JSONValue {
        var found: [(IPv4, String)] = []
        for key in try host.keys(prefix: "lease/") {
            // A lease released between listing and reading is simply gone.
            guard let address = IPv4(String(key.dropFirst("lease/".count))), let owner = try host.get(key) else { continue }
            found.append((address, String(decoding: owner, as: UTF8.self)))
        }
        return .object(["leases": .array(found.sorted { $0.0 < $1.0 }.map { address, owner in
            .object(["address": .string(address.description), "owner": .string(owner)])
        })])
    }

    func release(_ text: String) throws(DriverError) -> JSONValue {
        guard let address = IPv4(text) else {
            throw .invalidConfig("\"\(text)\" is not an IPv4 address", details: "pass a leased address such as 198.18.7.2; the leases action lists them")
        }
        guard let owner = try host.get("lease/\(address)").map({ String(decoding: $0, as: UTF8.self) }) else {
            throw DriverError(code: PADDOCK_E_NOT_FOUND, "no lease for \(address)", details: "the leases action lists the leased addresses")
        }
        // Drop the owner's record only when it still points here (the owner may hold a newer lease).
        if try lease(of: owner) == address { try host.delete("owner/\(owner)") }
        try host.delete("lease/\(address)")
        host.log(.info, "released \(address) held by \(owner)")
        return .object(["address": .string(address.description), "owner": .string(owner)])
    }
}
