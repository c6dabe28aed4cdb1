import ArgumentParser
import PaddockCore
import PaddockHost
import PaddockVolume

/// The storage drivers the volume commands and adapters work with, wired from the global options.
struct VolumeDrivers {
    let catalog: PluginCatalog
    let runtime: PluginRuntime

    init(global: GlobalOptions) {
        catalog = global.catalog()
        runtime = PluginRuntime(catalog: catalog, logger: global.logger)
    }

    var stateDirectory: String { catalog.configuration.stateDirectory }

    func enabledStorageDrivers() throws -> [String] {
        try catalog.list().filter { $0.status == .enabled && $0.kinds.contains(.storage) }.map(\.name).sorted()
    }

    /// The named driver, or the only enabled storage driver when none is named.
    func resolve(_ name: String?) throws -> String {
        if let name { return name }
        let enabled = try enabledStorageDrivers()
        guard enabled.count == 1 else {
            throw HostError(.invalidInput, enabled.isEmpty ? "no storage driver is enabled" : "\(enabled.count) storage drivers are enabled (\(enabled.joined(separator: ", ")))",
                            hint: enabled.isEmpty ? "enable one with `paddock plugin enable NAME`" : "name one with --driver")
        }
        return enabled[0]
    }

    func manager(_ name: String) throws -> VolumeManager {
        let plugin = try catalog.find(name)
        guard plugin.kinds.contains(.storage) else {
            throw HostError(.invalidInput, "plugin \(name) is not a storage driver (its kinds: \(plugin.kinds.map(\.rawValue).joined(separator: ", ")))",
                            hint: "`paddock plugin list` shows each plugin's kinds")
        }
        let client = StorageDriverClient(name: name, handle: try runtime.handle(named: name))
        return VolumeManager(driver: client, stateDirectory: stateDirectory)
    }
}

/// Prints a volume error the way the other commands print host errors, and exits 1.
func failVolume(_ error: VolumeError) -> ExitCode {
    FileHandleOutput.standardError("paddock: \(error.message)" + (error.hint.map { "\n  hint: \($0)" } ?? ""))
    return ExitCode(1)
}
