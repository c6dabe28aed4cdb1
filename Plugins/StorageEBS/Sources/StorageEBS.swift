import PaddockPluginKit
import PluginABI

let definition = PluginDefinition(
    name: "ebs", version: "0.1.0", kinds: [.storage], threadSafe: false, driver: EBSDriver.self)

@c(paddock_plugin_entry)
public func paddockPluginEntry(_ negotiation: UnsafeMutablePointer<paddock_negotiation>?) -> Int32 {
    definition.negotiate(negotiation)
}
