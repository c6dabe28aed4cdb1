import PaddockCore
import PaddockPosix

/// Everything the host is wired from: built once by the CLI (or a test) and passed down.
public struct HostConfiguration: Sendable {
    /// Plugin directories in search order; the first writable one receives `plugin install`.
    public var pluginPath: [String]
    public var stateDirectory: String
    /// The `paddock` executable, re-executed as the probe child.
    public var executable: String
    public var probeTimeoutSeconds: Double
    public var logLevel: LogLevel
    /// Settings file and trusted keys (`keys/*.pub`).
    public var configDirectory: String
    public var settings: HostSettings

    public init(pluginPath: [String], stateDirectory: String, executable: String,
                probeTimeoutSeconds: Double = 10, logLevel: LogLevel = .warning,
                configDirectory: String? = nil, settings: HostSettings = HostSettings()) {
        self.pluginPath = pluginPath
        self.stateDirectory = stateDirectory
        self.executable = executable
        self.probeTimeoutSeconds = probeTimeoutSeconds
        self.logLevel = logLevel
        self.configDirectory = configDirectory ?? "\(stateDirectory)/config"
        self.settings = settings
    }

    public var keysDirectory: String { "\(configDirectory)/keys" }

    /// `--config-dir`, then `$PADDOCK_CONFIG_DIR`, then /etc/paddock for root or
    /// ~/.config/paddock for others.
    public static func configDirectory(flag: String?, environment: [String: String], uid: UInt32) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let value = environment["PADDOCK_CONFIG_DIR"], !value.isEmpty { return value }
        if uid == 0 { return "/etc/paddock" }
        return "\(environment["HOME"] ?? "/tmp")/.config/paddock"
    }

    /// The environment as paddock may trust it: when it runs setuid or with capabilities the
    /// caller lacks (AT_SECURE), path overrides from the environment are dropped, as Vulkan's
    /// loader does with secure_getenv.
    public static func trustedEnvironment(_ environment: [String: String], secure: Bool) -> [String: String] {
        guard secure else { return environment }
        var filtered = environment
        for key in ["PADDOCK_PLUGIN_PATH", "PADDOCK_STATE_DIR", "PADDOCK_CONFIG_DIR", "HOME"] { filtered[key] = nil }
        return filtered
    }

    /// The search order of issue #2: flag, then `$PADDOCK_PLUGIN_PATH` (colon-separated), then the
    /// user, local and system directories.
    public static func pluginPath(flag: String?, environment: [String: String], uid: UInt32) -> [String] {
        var path: [String] = []
        if let explicit = flag ?? environment["PADDOCK_PLUGIN_PATH"] {
            path += explicit.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        if let home = environment["HOME"], !home.isEmpty {
            path.append("\(home)/.local/lib/paddock/plugins")
        }
        path += ["/usr/local/lib/paddock/plugins", "/usr/lib/paddock/plugins"]
        var seen = Set<String>()
        return path.filter { seen.insert($0).inserted }
    }

    /// `--state-dir`, then `$PADDOCK_STATE_DIR`, then /var/lib/paddock for root or
    /// ~/.local/state/paddock for others.
    public static func stateDirectory(flag: String?, environment: [String: String], uid: UInt32) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let value = environment["PADDOCK_STATE_DIR"], !value.isEmpty { return value }
        if uid == 0 { return "/var/lib/paddock" }
        return "\(environment["HOME"] ?? "/tmp")/.local/state/paddock"
    }
}

public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case error = 0, warning, info, debug, trace

    public init?(name: String) {
        guard let level = LogLevel.allCases.first(where: { "\($0)" == name }) else { return nil }
        self = level
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}
