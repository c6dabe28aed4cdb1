import Foundation
import PaddockPosix

/// Writes `DIR/paddock~DRIVER/DRIVER`, the executable kubelet finds and runs. kubelet runs it with
/// its own environment, so the script pins what this paddock was run with: the binary's absolute
/// path, the state, plugin and config directories.
public struct FlexVolumeInstaller: Sendable {
    public var executable: String
    public var stateDirectory: String
    public var pluginPath: [String]
    public var configDirectory: String

    public init(executable: String, stateDirectory: String, pluginPath: [String], configDirectory: String) {
        self.executable = executable
        self.stateDirectory = stateDirectory
        self.pluginPath = pluginPath
        self.configDirectory = configDirectory
    }

    /// The driver's directory name under the plugin dir: vendor `paddock`, then `~`, then the driver.
    public static func vendorDirectory(driver: String) -> String { "paddock~\(driver)" }

    public func script(driver: String) -> String {
        """
        #!/bin/sh
        # FlexVolume driver for kubelet: storage plugin \(driver) through Paddock.
        # Written by `paddock flexvolume install`; run that again after moving paddock or its dirs.
        PADDOCK_STATE_DIR=\(Self.quoted(stateDirectory))
        PADDOCK_PLUGIN_PATH=\(Self.quoted(pluginPath.joined(separator: ":")))
        PADDOCK_CONFIG_DIR=\(Self.quoted(configDirectory))
        export PADDOCK_STATE_DIR PADDOCK_PLUGIN_PATH PADDOCK_CONFIG_DIR
        exec \(Self.quoted(executable)) flexvolume \(Self.quoted(driver)) "$@"

        """
    }

    /// Installs atomically (kubelet may be scanning the directory) and answers the file's path.
    @discardableResult
    public func install(driver: String, into directory: String) throws(VolumeError) -> String {
        let vendor = "\(directory)/\(Self.vendorDirectory(driver: driver))"
        let path = "\(vendor)/\(driver)"
        do {
            try FileSystem.makeDirectories(vendor)
            try AtomicFile.write(Array(script(driver: driver).utf8), to: path, mode: 0o755)
        } catch {
            throw VolumeError(.io, "cannot install the FlexVolume driver at \(path): \(error)",
                              hint: "check that \(directory) is writable (kubelet's --volume-plugin-dir)")
        }
        return path
    }

    /// Single-quoted for sh: every byte literal, ' written as '\''.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
