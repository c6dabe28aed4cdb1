import PaddockPluginKit
import PluginABI

let definition = PluginDefinition(name: "ipsec", version: "0.1.0", kinds: [.network], threadSafe: false, driver: IPsecDriver.self)

@c(paddock_plugin_entry)
public func paddockPluginEntry(_ negotiation: UnsafeMutablePointer<paddock_negotiation>?) -> Int32 {
    definition.negotiate(negotiation)
}
