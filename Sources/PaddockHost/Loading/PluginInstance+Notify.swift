import PaddockCore
import PluginABI

extension PluginInstance {
    /// Calls the plugin table's optional `notify` (e.g. `{"type":"metadata.changed"}`) under the
    /// same serialization as operations. A plugin without `notify` answers "not supported".
    public func notify(_ event: JSONValue) -> CallResult {
        guard let function = plugin.table.pointee.notify else {
            return .notSupported(plugin: plugin.name, operation: "notify")
        }
        let request = Array(event.serialized().utf8)
        var response = paddock_buffer()
        let status: paddock_status? = withRawInstance { instance in
            request.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { function(instance, $0.baseAddress, $0.count, &response) }
            }
        }
        guard let status else {
            return CallResult(status: PADDOCK_E_UNAVAILABLE, body: StatusCode.errorDocument(
                PADDOCK_E_UNAVAILABLE, "plugin \(plugin.name) was stopped"))
        }
        let bytes = PluginInstance.take(&response, free: plugin.table.pointee.free_buffer)
        return CallResult.from(status: status, bytes: bytes, plugin: plugin.name, operation: "notify")
    }
}
