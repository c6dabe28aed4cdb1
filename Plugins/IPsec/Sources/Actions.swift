import PaddockPluginKit
import PluginABI

// Extension actions (the manifest's "actions" in Manifest/manifest.c), called by
// `paddock plugin call ipsec ACTION` through libffi.

/// `reconcile` (signature ""): the same reconcile ADD and notify run; answers what it did.
@c(ipsec_reconcile)
public func ipsecReconcile(_ instance: UnsafeMutableRawPointer?, _ result: UnsafeMutablePointer<paddock_buffer>?) -> Int32 {
    ExtensionAction.run(instance, result, as: IPsecDriver.self) { driver throws(DriverError) in
        try driver.reconcile()
    }
}

/// `stop` (signature ""): stops this host's charon (tunnels go down until the next reconcile).
@c(ipsec_stop)
public func ipsecStop(_ instance: UnsafeMutableRawPointer?, _ result: UnsafeMutablePointer<paddock_buffer>?) -> Int32 {
    ExtensionAction.run(instance, result, as: IPsecDriver.self) { driver throws(DriverError) in
        try driver.stopCharon()
    }
}

extension IPsecDriver {
    func stopCharon() throws(DriverError) -> JSONValue {
        try System.withLock(lockPath) { () throws(DriverError) -> JSONValue in
            guard let pid = charon.runningPID() else { return .object(["stopped": .null]) }
            charon.stop(pid)
            host.log(.info, "stopped charon (pid \(pid)) in \(namespace.label)")
            return .object(["stopped": .number(Double(pid))])
        }
    }
}
