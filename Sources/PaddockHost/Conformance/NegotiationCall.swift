import PaddockCore
import PaddockPosix
import PluginABI

/// One call of a plugin's entry function with a host range of the kit's choosing. The entry runs
/// once per process by contract, so each range gets a process of its own.
struct NegotiationCall {
    var library: DynamicLibrary
    var status: Int32
    var chosen: ABIVersion
    var table: UnsafePointer<paddock_plugin>?
    /// The reason text up to its NUL, and whether there was a NUL within the 256 bytes.
    var reason: String
    var reasonTerminated: Bool

    typealias Entry = @convention(c) (UnsafeMutablePointer<paddock_negotiation>?) -> paddock_status

    static func perform(path: String, minimum: ABIVersion, maximum: ABIVersion) throws(PluginLoadError) -> NegotiationCall {
        let library: DynamicLibrary
        do {
            library = try DynamicLibrary.open(path)
        } catch {
            throw PluginLoadError(.loadFailed, error.description)
        }
        let address: UnsafeMutableRawPointer
        do {
            address = try library.symbol(PluginFile.entrySymbol)
        } catch {
            throw PluginLoadError(.noEntry, "no \(PluginFile.entrySymbol) symbol: \(error.message); export it with PADDOCK_EXPORT")
        }
        let entry = unsafeBitCast(address, to: Entry.self)
        var negotiation = paddock_negotiation()
        negotiation.struct_size = UInt32(MemoryLayout<paddock_negotiation>.size)
        negotiation.version = PADDOCK_NEGOTIATION_VERSION
        negotiation.host_min_abi = minimum.raw
        negotiation.host_max_abi = maximum.raw
        let status = entry(&negotiation)
        let (reason, terminated) = withUnsafeBytes(of: &negotiation.reason) { raw -> (String, Bool) in
            let text = raw.prefix { $0 != 0 }
            return (String(decoding: text, as: UTF8.self), text.count < raw.count)
        }
        return NegotiationCall(library: library, status: status, chosen: ABIVersion(raw: negotiation.abi),
                               table: negotiation.plugin, reason: reason, reasonTerminated: terminated)
    }
}
