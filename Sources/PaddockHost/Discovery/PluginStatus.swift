/// The status column of `plugin list` (containerd's ok/error/skip, plus Docker's enabled/disabled).
public enum PluginStatus: String, Sendable, Codable {
    case enabled, disabled, error, skipped
}
