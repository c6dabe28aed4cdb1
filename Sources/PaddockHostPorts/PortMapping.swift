import PaddockJSON

/// One published port: traffic to `hostIP:hostPort/proto` (any local address when `hostIP` is
/// nil) goes to the container's `containerPort`.
public struct PortMapping: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Proto: String, Sendable, Codable, CaseIterable {
        case tcp, udp, sctp
    }

    public var hostIP: IPv4Address?
    public var hostPort: Int
    public var containerPort: Int
    public var proto: Proto

    public init(hostIP: IPv4Address? = nil, hostPort: Int, containerPort: Int, proto: Proto = .tcp) {
        self.hostIP = hostIP.flatMap { $0.isUnspecified ? nil : $0 }
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.proto = proto
    }

    /// Rancher's port string: `[ip:]public:private[/proto]` (proto defaults to tcp).
    public init(parsing text: String) throws(HostPortsError) {
        let bad = { (why: String) in HostPortsError(.invalidMapping, "port mapping \"\(text)\" \(why)",
                                                     hint: "write it as [ip:]public:private[/tcp|udp|sctp], e.g. 8080:80/tcp") }
        var body = Substring(text)
        var proto = Proto.tcp
        if let slash = body.lastIndex(of: "/") {
            guard let parsed = Proto(rawValue: body[body.index(after: slash)...].lowercased()) else {
                throw bad("has an unknown protocol")
            }
            proto = parsed
            body = body[..<slash]
        }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { throw bad("needs a public and a private port") }
        var hostIP: IPv4Address?
        if parts.count == 3 {
            guard let address = IPv4Address(parts[0]) else { throw bad("has an invalid IPv4 address") }
            hostIP = address
        }
        guard let hostPort = PortMapping.port(parts[parts.count - 2]), let containerPort = PortMapping.port(parts[parts.count - 1]) else {
            throw bad("has a port outside 1–65535")
        }
        self.init(hostIP: hostIP, hostPort: hostPort, containerPort: containerPort, proto: proto)
    }

    /// One entry of the CNI `portMappings` capability:
    /// `{"hostPort": 8080, "containerPort": 80, "protocol": "tcp", "hostIP": "198.18.0.1"}`.
    public init(cni entry: JSONValue) throws(HostPortsError) {
        let text = entry.serialized()
        let bad = { (why: String) in HostPortsError(.invalidMapping, "portMappings entry \(text) \(why)",
                                                     hint: "give hostPort and containerPort in 1–65535, protocol tcp, udp or sctp") }
        guard let hostPort = entry["hostPort"]?.intValue, PortMapping.valid(hostPort),
              let containerPort = entry["containerPort"]?.intValue, PortMapping.valid(containerPort) else {
            throw bad("needs hostPort and containerPort in 1–65535")
        }
        var proto = Proto.tcp
        if let name = entry["protocol"]?.stringValue {
            guard let parsed = Proto(rawValue: name.lowercased()) else { throw bad("has an unknown protocol") }
            proto = parsed
        }
        var hostIP: IPv4Address?
        if let address = entry["hostIP"]?.stringValue, !address.isEmpty {
            guard let parsed = IPv4Address(address) else { throw bad("has a hostIP that is not IPv4") }
            hostIP = parsed
        }
        self.init(hostIP: hostIP, hostPort: hostPort, containerPort: containerPort, proto: proto)
    }

    /// The CNI capability's whole list (`runtimeConfig.portMappings`).
    public static func cni(_ list: JSONValue?) throws(HostPortsError) -> [PortMapping] {
        guard let list, !list.isNull else { return [] }
        guard let entries = list.arrayValue else {
            throw HostPortsError(.invalidMapping, "runtimeConfig.portMappings is \(list.typeName), not an array",
                                 hint: "pass a list of {hostPort, containerPort, protocol, hostIP}")
        }
        var mappings: [PortMapping] = []
        for entry in entries { mappings.append(try PortMapping(cni: entry)) }
        return mappings
    }

    /// The same published port (address, port, protocol), whatever it points to.
    public var key: String { "\(hostIP?.description ?? "0.0.0.0"):\(hostPort)/\(proto.rawValue)" }

    public var description: String {
        "\(hostIP.map { "\($0):" } ?? "")\(hostPort):\(containerPort)/\(proto.rawValue)"
    }

    static func valid(_ port: Int) -> Bool { (1...65535).contains(port) }

    static func port(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text), valid(value) else { return nil }
        return value
    }
}

extension IPv4Address: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = IPv4Address(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an IPv4 address: \(text)"))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
