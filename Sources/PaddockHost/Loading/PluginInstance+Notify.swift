import PaddockCore
import PluginABI

extension PluginInstance {
    /// Tells the instance about a change through the plugin's optional `notify` (e.g.
    /// {"type":"metadata.changed"} so a network driver reconciles). "Not supported" when the plugin
    /// has none; serialized like operations.
    public func notify(_ event: JSONValue) -> CallResult {
        guard let notify = plugin.table.pointee.notify else {
            return .notSupported(plugin: plugin.name, operation: "notify")
        }
        let request = Array(event.serialized().utf8)
        var response = paddock_buffer()
        let status = withRawInstance { instance in
            request.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { notify(instance, $0.baseAddress, $0.count, &response) }
            }
        }
        guard let status else {
            return CallResult(status: PADDOCK_E_UNAVAILABLE, body: StatusCode.errorDocument(PADDOCK_E_UNAVAILABLE, "plugin \(plugin.name) was stopped"))
        }
        let bytes = PluginInstance.take(&response, free: plugin.table.pointee.free_buffer)
        if status == PADDOCK_OK && bytes.isEmpty { return CallResult(status: status, body: .object([:])) }
        return CallResult.from(status: status, bytes: bytes, plugin: plugin.name, operation: "notify")
    }
}
