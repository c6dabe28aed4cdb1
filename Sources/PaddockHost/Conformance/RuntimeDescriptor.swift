import PaddockCore
import PluginABI

/// What the plugin table says about the plugin, read field by field so that it is available even
/// when other parts of the table break the rules.
struct RuntimeDescriptor {
    var name: String
    var version: String
    var kinds: [PluginKind]
    var threadSafe: Bool
    var abi: ABIVersion

    init(table: UnsafePointer<paddock_plugin>, abi: ABIVersion) {
        let plugin = table.pointee
        name = plugin.name.map { String(cString: $0) } ?? "(NULL)"
        version = plugin.plugin_version.map { String(cString: $0) } ?? "(NULL)"
        kinds = PluginKind.kinds(fromBits: plugin.kinds)
        threadSafe = plugin.flags & UInt32(PADDOCK_PLUGIN_THREAD_SAFE) != 0
        self.abi = abi
    }
}
