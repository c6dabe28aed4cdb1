import PaddockJSON

/// One plugin execution as the environment describes it (SPEC section 2, "Parameters").
public struct CNIInvocation: Equatable, Sendable {
    public var command: CNICommand
    public var containerID: String?
    public var netns: String?
    public var interfaceName: String?
    /// `CNI_ARGS` split into pairs, in order.
    public var arguments: [(String, String)]
    public var path: [String]

    public static func == (a: CNIInvocation, b: CNIInvocation) -> Bool {
        a.command == b.command && a.containerID == b.containerID && a.netns == b.netns
            && a.interfaceName == b.interfaceName && a.path == b.path
            && a.arguments.map { "\($0.0)=\($0.1)" } == b.arguments.map { "\($0.0)=\($0.1)" }
    }

    /// Reads and checks the `CNI_*` variables: missing required ones, unknown commands and
    /// malformed values are code 4 (invalid environment variables).
    public init(environment: [String: String]) throws(CNIError) {
        guard let commandText = environment["CNI_COMMAND"], !commandText.isEmpty else {
            throw CNIError(.invalidEnvironment, "required env variables [CNI_COMMAND] missing",
                           details: "set CNI_COMMAND to ADD, DEL, CHECK, STATUS, GC or VERSION")
        }
        guard let command = CNICommand(rawValue: commandText) else {
            throw CNIError(.invalidEnvironment, "unknown CNI_COMMAND: \(CNINames.printable(commandText))",
                           details: "use ADD, DEL, CHECK, STATUS, GC or VERSION")
        }
        self.command = command
        let missing = command.requiredEnvironment.filter { (environment[$0] ?? "").isEmpty }
        guard missing.isEmpty else {
            throw CNIError(.invalidEnvironment, "required env variables [\(missing.joined(separator: ","))] missing",
                           details: "CNI_COMMAND=\(commandText) needs \(command.requiredEnvironment.joined(separator: ", "))")
        }
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        containerID = value("CNI_CONTAINERID")
        netns = value("CNI_NETNS")
        interfaceName = value("CNI_IFNAME")
        path = (environment["CNI_PATH"] ?? "").split(separator: ":").map(String.init)
        arguments = try CNIInvocation.parseArguments(environment["CNI_ARGS"] ?? "")
        if command != .version {
            if let containerID { try CNINames.checkContainerID(containerID) }
            if let interfaceName { try CNINames.checkInterfaceName(interfaceName) }
            if let netns, !netns.hasPrefix("/") || netns.utf8.contains(0) {
                throw CNIError(.invalidEnvironment, "CNI_NETNS \"\(CNINames.printable(netns))\" is not an absolute path",
                               details: "pass the path of the container's network namespace, e.g. /run/netns/NAME")
            }
        }
    }

    /// `CNI_ARGS`: `KEY=VALUE` pairs separated by `;` (empty pieces ignored).
    public static func parseArguments(_ text: String) throws(CNIError) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for piece in text.split(separator: ";", omittingEmptySubsequences: true) {
            guard let equals = piece.firstIndex(of: "="), equals != piece.startIndex else {
                throw CNIError(.invalidEnvironment, "CNI_ARGS: invalid pair \"\(CNINames.printable(String(piece)))\"",
                               details: "CNI_ARGS is KEY=VALUE pairs separated by semicolons, e.g. IgnoreUnknown=1;K8S_POD_NAME=web")
            }
            pairs.append((String(piece[..<equals]), String(piece[piece.index(after: equals)...])))
        }
        return pairs
    }

    /// The request the network driver receives (docs/abi.md, kind `network`).
    public func driverRequest(config: JSONValue) -> JSONValue {
        var object: [String: JSONValue] = [
            "command": .string(command.rawValue),
            "args": .object(Dictionary(arguments.map { ($0.0, JSONValue.string($0.1)) }, uniquingKeysWith: { _, last in last })),
            "path": .array(path.map { .string($0) }),
            "config": config,
        ]
        if let containerID { object["containerId"] = .string(containerID) }
        if let netns { object["netns"] = .string(netns) }
        if let interfaceName { object["ifName"] = .string(interfaceName) }
        return .object(object)
    }
}
