import PaddockJSON

/// The plugin configuration object the runtime streams on stdin (SPEC section 1 and 3): the
/// conflist entry with `name` and `cniVersion` of the list, plus `prevResult`, `runtimeConfig`,
/// `args` and `cni.dev/*` keys. Unknown keys pass through to the driver untouched.
public struct CNINetworkConfig: Sendable {
    public var raw: JSONValue
    public var version: CNIVersion
    public var versionText: String
    public var name: String
    /// The Paddock network driver this entry delegates to (`"driver"`).
    public var driver: String
    public var prevResult: JSONValue?

    /// Decodes and checks stdin for `command`. Broken JSON is code 6; a config that is JSON but
    /// wrong is code 7; a version Paddock does not speak is code 1.
    public init(bytes: [UInt8], command: CNICommand) throws(CNIError) {
        guard bytes.contains(where: { !(0x09...0x0D).contains($0) && $0 != 0x20 }) else {
            throw CNIError(.decode, "no network configuration on stdin",
                           details: "the runtime must stream the plugin's configuration (JSON) on stdin")
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw CNIError(.decode, "network configuration is not valid JSON", details: error.description)
        }
        guard value.objectValue != nil else {
            throw CNIError(.decode, "network configuration is a JSON \(value.typeName), not an object")
        }
        raw = value

        // libcni reads a missing cniVersion as 0.1.0, which Paddock does not speak.
        let versionValue = value["cniVersion"] ?? .string("0.1.0")
        guard let text = versionValue.stringValue else {
            throw CNIError(.decode, "cniVersion is a \(versionValue.typeName), not a string")
        }
        versionText = text
        let supported = CNIVersion.supported.map(\.description)
        guard let parsed = CNIVersion(text), CNIVersion.supported.contains(parsed) else {
            throw CNIError(.incompatibleVersion, "incompatible CNI versions",
                           details: "config is \"\(text)\", plugin supports [\(supported.map { "\"\($0)\"" }.joined(separator: " "))]")
        }
        version = parsed
        if let minimum = command.minimumVersion, parsed < minimum {
            throw CNIError(.incompatibleVersion, "config version does not allow \(command.rawValue)",
                           details: "\(command.rawValue) needs cniVersion \(minimum) or later; the config is \(text)")
        }

        guard let name = value["name"]?.stringValue, CNINames.isValidNetworkName(name) else {
            throw CNIError(.invalidConfig, "network configuration has no valid \"name\"",
                           details: "name starts with a letter or digit, followed by letters, digits, _, . or -")
        }
        self.name = name
        guard let driver = value["driver"]?.stringValue, CNINetworkConfig.isPluginName(driver) else {
            let found = value["driver"].map { $0.stringValue.map { "\"\(CNINames.printable($0))\"" } ?? "a \($0.typeName)" } ?? "nothing"
            throw CNIError(.invalidConfig, "network \(name): \"driver\" must name a Paddock network plugin, found \(found)",
                           details: "add \"driver\": \"<plugin name>\" to the {\"type\": \"paddock\"} entry; `paddock plugin list` shows the plugins")
        }
        self.driver = driver
        for key in ["runtimeConfig", "args", "ipam", "dns"] {
            if let member = value[key], member.objectValue == nil {
                throw CNIError(.invalidConfig, "network \(name): \"\(key)\" is a \(member.typeName), not an object")
            }
        }

        if let previous = value["prevResult"], !previous.isNull {
            do {
                prevResult = try CNIResult.normalize(previous, version: parsed)
            } catch {
                throw CNIError(.decode, "network \(name): prevResult cannot be decoded as a \(text) result", details: error.message)
            }
        }
        if command == .check && prevResult == nil {
            throw CNIError(.invalidConfig, "network \(name): CHECK needs prevResult",
                           details: "the runtime must pass the result of the container's last ADD as prevResult")
        }
        if command == .gc { try CNINetworkConfig.checkAttachments(value, network: name) }
    }

    /// Manifest names: `[a-z0-9][a-z0-9._-]{0,62}` (docs/abi.md).
    public static func isPluginName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 63,
              (0x30...0x39).contains(first) || (0x61...0x7A).contains(first) else { return false }
        return bytes.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// GC's `cni.dev/valid-attachments` (libcni ≥1.2.3 also sends `cni.dev/attachments`): an array
    /// of `{containerID, ifname}`.
    static func checkAttachments(_ value: JSONValue, network: String) throws(CNIError) {
        for key in ["cni.dev/valid-attachments", "cni.dev/attachments"] {
            guard let list = value[key] else { continue }
            guard let items = list.arrayValue else {
                throw CNIError(.invalidConfig, "network \(network): \(key) is a \(list.typeName), not an array")
            }
            for item in items {
                guard item["containerID"]?.stringValue != nil, item["ifname"]?.stringValue != nil else {
                    throw CNIError(.invalidConfig, "network \(network): every \(key) entry needs string containerID and ifname",
                                   details: "found \(item.serialized())")
                }
            }
        }
    }
}
