import Foundation
import PaddockHostPorts
import PaddockJSON
import PaddockNetlink

/// The host-port hook of the attach core, one call per CNI operation for any network driver
/// (VXLAN, IPsec): `publish` after ADD, `withdraw` on DEL, `reconcile` when metadata changes.
/// Port mappings come from the CNI `runtimeConfig.portMappings` capability or a container
/// record's rancher `ports` strings; the rules are PaddockHostPorts' (one nftables table per
/// driver covering all its networks, replaced atomically; records kept in the driver's store).
public struct ContainerHostPorts {
    public struct Network: Sendable {
        public var subnet: IPv4Network
        public var bridge: String
        public init(subnet: IPv4Network, bridge: String) {
            self.subnet = subnet
            self.bridge = bridge
        }
    }

    let ports: HostPorts

    /// `owner` is the driver's name; `networks` every network it serves on this host (their
    /// subnets are NATed, their bridges get route_localnet); `lockDirectory` its state directory.
    public init(owner: String, networks: [Network], store: any LeaseStore, lockDirectory: String) {
        let subnets = networks.compactMap { PaddockHostPorts.IPv4Subnet($0.subnet.description) }
        var bridges: [String] = []
        for network in networks where !bridges.contains(network.bridge) { bridges.append(network.bridge) }
        let settings = HostNATSettings(owner: owner, subnets: Array(Set(subnets)).sorted { $0.description < $1.description },
                                       localnetInterfaces: bridges, lockPath: "\(lockDirectory)/hostports.lock")
        ports = HostPorts(settings: settings, store: ContainerHostPorts.recordStore(store))
    }

    /// The request's mappings: `config.runtimeConfig.portMappings` (CNI) and `ports` (rancher's
    /// `[ip:]public:private[/proto]` strings, at the top level or in `config`).
    public static func mappings(_ request: JSONValue) throws(NetworkError) -> [PortMapping] {
        do throws(HostPortsError) {
            var mappings = try PortMapping.cni(request["config"]?["runtimeConfig"]?["portMappings"])
            for list in [request["ports"], request["config"]?["ports"]] {
                guard let list, !list.isNull else { continue }
                guard let items = list.arrayValue else {
                    throw HostPortsError(.invalidMapping, "\"ports\" must be a list of strings", hint: "e.g. [\"8080:80/tcp\"]")
                }
                for item in items {
                    guard let text = item.stringValue else {
                        throw HostPortsError(.invalidMapping, "\"ports\" entry \(item.serialized()) is not a string", hint: "e.g. \"8080:80/tcp\"")
                    }
                    mappings.append(try PortMapping(parsing: text))
                }
            }
            return mappings
        } catch {
            throw NetworkError(error)
        }
    }

    /// After ADD: publish the request's mappings for the container at `address` and set hairpin
    /// mode on its bridge port (its own host port leads back out of the port it came in on).
    public func publish(_ identity: AttachmentIdentity, hostInterface: String, address: PaddockNetlink.IPv4Address,
                        request: JSONValue) throws(NetworkError) {
        let mappings = try Self.mappings(request)
        guard let target = PaddockHostPorts.IPv4Address(address.description) else {
            throw NetworkError(.invalidConfig, "container address \(address) is not IPv4")
        }
        do throws(HostPortsError) {
            try ports.attach(container: Self.recordName(identity), address: target, mappings: mappings)
        } catch {
            throw NetworkError(error)
        }
        if !mappings.isEmpty { Self.setHairpin(hostInterface) }
    }

    /// DEL: withdraw the container's mappings and their conntrack flows; nothing to do is success.
    public func withdraw(_ identity: AttachmentIdentity) throws(NetworkError) {
        do throws(HostPortsError) {
            try ports.detach(container: Self.recordName(identity))
        } catch {
            if error.code == .invalidMapping { return } // a name no ADD could have published
            throw NetworkError(error)
        }
    }

    /// Re-applies the table and the FORWARD exemption from the store (metadata changed, restart).
    public func reconcile() throws(NetworkError) {
        do throws(HostPortsError) { try ports.reconcile() } catch { throw NetworkError(error) }
    }

    /// `<containerID>.<ifName>`: the record's key (the store's owner form has a `/`).
    static func recordName(_ identity: AttachmentIdentity) -> String { "\(identity.containerID).\(identity.ifName)" }

    /// Through netlink in the calling thread's namespace (a driver that works on a host namespace
    /// from outside it sees another namespace in /sys). Best effort: without it only the
    /// container's own host port fails to loop back to it; the ADD stands.
    static func setHairpin(_ interface: String) {
        guard let socket = try? NetlinkSocket(), let link = try? socket.link(named: interface) else { return }
        try? socket.setHairpin(index: link.index)
    }

    static func recordStore(_ store: any LeaseStore) -> KeyValueRecordStore {
        KeyValueRecordStore(
            keys: { try store.keys(prefix: $0) },
            get: { try store.value($0).map { Array($0.utf8) } },
            put: { try store.put($0, String(decoding: $1, as: UTF8.self)) },
            delete: { try store.remove($0) })
    }
}

extension NetworkError {
    /// A host-port failure with the CNI code it maps to.
    init(_ error: HostPortsError) {
        switch error.code {
        case .invalidMapping, .invalidSettings: self.init(.invalidConfig, error.message, details: error.hint)
        case .conflict: self.init(.conflict, error.message, details: error.hint)
        default: self.init(.io, error.message, details: error.hint)
        }
    }
}
