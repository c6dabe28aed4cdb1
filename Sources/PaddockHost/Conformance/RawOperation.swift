import PaddockCore
import PluginABI

/// A request exactly as the kit hands it to the plugin, including the two shapes of "empty".
enum RawPayload: Sendable {
    case bytes([UInt8])
    /// `request == NULL, request_len == 0`.
    case nullEmpty
    /// A valid pointer to zero bytes: `request_len == 0`.
    case nonNullEmpty
}

/// Calls one operation's function pointer directly on a created instance, under the instance's
/// serialization (so a plugin that is not thread-safe is still called one call at a time).
enum RawOperation {
    static func call(_ instance: PluginInstance, _ function: paddock_op_fn, _ payload: RawPayload,
                     tracker: InFlightTracker? = nil) -> RawAnswer? {
        let free = instance.plugin.table.pointee.free_buffer
        return instance.withRawInstance { raw -> RawAnswer in
            tracker?.enter()
            defer { tracker?.leave() }
            var response = paddock_buffer()
            let status: Int32
            switch payload {
            case .nullEmpty:
                status = function(raw, nil, 0, &response)
            case .nonNullEmpty:
                var nothing: CChar = 0
                status = function(raw, &nothing, 0, &response)
            case .bytes(let bytes):
                status = bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { function(raw, $0.baseAddress, $0.count, &response) }
                }
            }
            return RawAnswer(status: status, bytes: PluginInstance.take(&response, free: free))
        }
    }
}
