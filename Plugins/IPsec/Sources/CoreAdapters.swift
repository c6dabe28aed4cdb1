import IPsecCore
import PaddockNetlink
import PaddockNetworkCore
import PaddockNetworkDriverKit
import PaddockPluginKit

extension DriverError {
    init(ipsec error: NetworkError) {
        self.init(code: error.code.rawValue, "ipsec: \(error.message)", details: error.details)
    }
}

extension IPv4Subnet {
    var coreNetwork: IPv4Network { IPv4Network(IPv4Address(network.value), prefix: prefix)! }
}

extension HostNamespace {
    /// Runs rtnetlink work inside the host's namespace (on a thread that entered it, as the core
    /// requires), or right here when the host is the caller's own namespace.
    func inside<T>(_ body: () throws(NetworkError) -> T) throws(DriverError) -> T {
        guard let name else {
            do { return try body() } catch { throw DriverError(ipsec: error) }
        }
        do {
            let namespace = try NetworkNamespace(named: name)
            return try namespace.run { () throws -> T in try body() }
        } catch let error as NetworkError {
            throw DriverError(ipsec: error)
        } catch {
            throw .io("ipsec: cannot work in network namespace \(name): \(error)", details: "check that `ip netns list` shows it")
        }
    }
}
