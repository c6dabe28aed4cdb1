import PluginABI

/// What a Swift plugin tells the SDK; must agree with the manifest in its C companion target.
public struct PluginDefinition: @unchecked Sendable {
    public var name: String
    public var version: String
    public var kinds: [PluginKind]
    public var threadSafe: Bool
    public var driver: any Driver.Type

    public init(name: String, version: String, kinds: [PluginKind], threadSafe: Bool, driver: any Driver.Type) {
        self.name = name
        self.version = version
        self.kinds = kinds
        self.threadSafe = threadSafe
        self.driver = driver
    }

    /// Answers the host's negotiation: call it from the plugin's exported entry function,
    ///
    ///     @c(paddock_plugin_entry)
    ///     public func entry(_ n: UnsafeMutablePointer<paddock_negotiation>?) -> Int32 {
    ///         definition.negotiate(n)
    ///     }
    public func negotiate(_ negotiation: UnsafeMutablePointer<paddock_negotiation>?) -> paddock_status {
        guard let negotiation else { return PADDOCK_E_INVALID_ENV }
        let ours = PADDOCK_ABI_VERSION_CURRENT
        let minimum = negotiation.pointee.host_min_abi
        let maximum = negotiation.pointee.host_max_abi
        // Speak 1.x: the highest minor both know.
        guard minimum >> 16 <= ours >> 16, maximum >> 16 >= ours >> 16 else {
            Exported.writeReason(negotiation, "this plugin speaks ABI 1.x; the host offers \(minimum >> 16).\(minimum & 0xffff)–\(maximum >> 16).\(maximum & 0xffff)")
            return PADDOCK_E_INCOMPATIBLE_VERSION
        }
        negotiation.pointee.abi = min(ours, maximum)
        negotiation.pointee.plugin = Exported.table(for: self)
        return PADDOCK_OK
    }
}
