import PaddockCore
import PluginABI

/// The outcome of one operation through the contract: the status and the JSON the plugin returned
/// (a result on OK, an error document otherwise — synthesized by the host when the plugin gave none
/// or gave something that is not an error document).
public struct CallResult: Sendable {
    public var status: Int32
    public var body: JSONValue

    public var isSuccess: Bool { status == PADDOCK_OK }

    /// The error document's message, for people.
    public var errorMessage: String {
        let message = body["msg"]?.stringValue ?? "failed"
        let details = body["details"]?.stringValue ?? ""
        return details.isEmpty ? message : "\(message) (\(details))"
    }

    static func from(status: Int32, bytes: [UInt8], plugin: String, operation: String) -> CallResult {
        if status == PADDOCK_OK {
            if bytes.isEmpty { return CallResult(status: status, body: .object([:])) }
            do {
                return CallResult(status: status, body: try JSONValue(parsing: bytes))
            } catch {
                return CallResult(status: PADDOCK_E_INTERNAL, body: StatusCode.errorDocument(
                    PADDOCK_E_INTERNAL, "plugin \(plugin) returned invalid JSON from \(operation)", details: "\(error)"))
            }
        }
        if let document = try? JSONValue(parsing: bytes), document["msg"]?.stringValue != nil {
            var object = document.objectValue ?? [:]
            object["code"] = .number(Double(status))
            if object["details"] == nil { object["details"] = .string("") }
            return CallResult(status: status, body: .object(object))
        }
        let text = bytes.isEmpty ? "" : String(decoding: bytes.prefix(512), as: UTF8.self)
        return CallResult(status: status, body: StatusCode.errorDocument(
            status, "plugin \(plugin) failed \(operation) with \(StatusCode.name(status))",
            details: text.isEmpty ? "the plugin returned no error document" : "unstructured error: \(text)"))
    }

    static func notSupported(plugin: String, operation: String) -> CallResult {
        CallResult(status: PADDOCK_E_NOT_SUPPORTED, body: StatusCode.errorDocument(
            PADDOCK_E_NOT_SUPPORTED, "plugin \(plugin) does not support \(operation)",
            details: "the plugin's table has no such operation (NULL or beyond its struct_size)"))
    }
}
