import PaddockJSON

/// Where the `paddock` CNI binary finds its host: the file `paddock.paths` that
/// `paddock cni install` writes beside it (JSON: `pluginPath` array, `stateDir`, `configDir`, `executable`).
/// `pluginPath` holds the explicit directories (as `--plugin-path` would); the default ones
/// follow them. Without the file the host's usual defaults and `PADDOCK_*` variables apply.
public struct CNIHostPaths: Equatable, Sendable {
    public static let fileName = "paddock.paths"

    public var pluginPath: [String]?
    public var stateDirectory: String?
    public var configDirectory: String?
    /// The `paddock` executable, re-executed for probes and `isolation: process` workers.
    public var executable: String?

    public init(pluginPath: [String]? = nil, stateDirectory: String? = nil, configDirectory: String? = nil,
                executable: String? = nil) {
        self.pluginPath = pluginPath
        self.stateDirectory = stateDirectory
        self.configDirectory = configDirectory
        self.executable = executable
    }

    /// Parses the file; every member is optional, and a wrong one is a config error naming the file.
    public init(parsing bytes: [UInt8], file: String) throws(CNIError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw CNIError(.invalidConfig, "\(file) is not valid JSON", details: "\(error); run `paddock cni install` again")
        }
        guard value.objectValue != nil else { throw CNIError(.invalidConfig, "\(file) is not a JSON object") }
        if let list = value["pluginPath"] {
            guard let items = list.arrayValue?.compactMap(\.stringValue), items.count == list.arrayValue?.count else {
                throw CNIError(.invalidConfig, "\(file): pluginPath must be an array of directories")
            }
            pluginPath = items
        }
        for key in ["stateDir", "configDir", "executable"] {
            guard let member = value[key] else { continue }
            guard let text = member.stringValue, text.hasPrefix("/") else {
                throw CNIError(.invalidConfig, "\(file): \(key) must be an absolute path")
            }
            switch key {
            case "stateDir": stateDirectory = text
            case "configDir": configDirectory = text
            default: executable = text
            }
        }
    }

    public var document: JSONValue {
        var object: [String: JSONValue] = [:]
        if let pluginPath { object["pluginPath"] = .array(pluginPath.map { .string($0) }) }
        if let stateDirectory { object["stateDir"] = .string(stateDirectory) }
        if let configDirectory { object["configDir"] = .string(configDirectory) }
        if let executable { object["executable"] = .string(executable) }
        return .object(object)
    }
}
