import PaddockCore
import PaddockPosix

/// The operator's settings in `<config>/paddock.json` ({"require_signatures": bool,
/// "safe_mode": bool, "metadata": {...}}); command-line flags can only switch them on, never off.
public struct HostSettings: Sendable, Equatable {
    public var requireSignatures = false
    public var safeMode = false
    /// Where the metadata service reads from (see MetadataSettings).
    public var metadata = MetadataSettings()

    public init(requireSignatures: Bool = false, safeMode: Bool = false, metadata: MetadataSettings = MetadataSettings()) {
        self.requireSignatures = requireSignatures
        self.safeMode = safeMode
        self.metadata = metadata
    }

    public static func load(configDirectory: String) throws(HostError) -> HostSettings {
        let file = "\(configDirectory)/paddock.json"
        guard FileSystem.exists(file) else { return HostSettings() }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: try FileSystem.read(file, limit: 1 << 20))
        } catch {
            throw HostError(.invalidConfig, "settings file \(file) is unreadable or not JSON: \(error)", hint: "fix it or remove it")
        }
        var settings = HostSettings()
        for (key, value) in document.objectValue ?? [:] {
            switch key {
            case "require_signatures": settings.requireSignatures = value.boolValue ?? false
            case "safe_mode": settings.safeMode = value.boolValue ?? false
            case "metadata": settings.metadata = try MetadataSettings.parse(value, file: file)
            default: throw HostError(.invalidConfig, "settings file \(file) has unknown key \"\(key)\"", hint: "known keys: require_signatures, safe_mode, metadata")
            }
        }
        return settings
    }
}
