import PaddockCore
import PluginABI

/// What a plugin's answer must look like (docs/abi.md §4): on PADDOCK_OK, JSON or nothing; on any
/// other status, an error document `{"code": <the status>, "msg": "<non-empty>", "details": "<text>"}`.
enum ErrorDocumentRule {
    /// Nil when the answer follows the contract; otherwise what is wrong and how to fix it.
    static func problem(with answer: RawAnswer) -> String? {
        let text = String(decoding: answer.bytes.prefix(120), as: UTF8.self)
        if answer.status == PADDOCK_OK {
            guard !answer.bytes.isEmpty else { return nil }
            do {
                _ = try JSONValue(parsing: answer.bytes)
                return nil
            } catch {
                return "returned PADDOCK_OK with a response that is not JSON (\(error)): \(text)"
            }
        }
        let status = "returned \(answer.status) (\(StatusCode.name(answer.status)))"
        let shape = #"write {"code":\#(answer.status),"msg":"...","details":"..."} into the response buffer"#
        guard !answer.bytes.isEmpty else {
            return "\(status) without an error document; \(shape)"
        }
        guard let document = try? JSONValue(parsing: answer.bytes) else {
            return "\(status) with an error document that is not JSON: \(text); \(shape)"
        }
        guard document.objectValue != nil else {
            return "\(status) with an error document that is a JSON \(document.typeName), not an object; \(shape)"
        }
        var problems: [String] = []
        switch document["code"] {
        case .number(let code) where code == Double(answer.status): break
        case .number(let code): problems.append("\"code\" is \(JSONValue.formatNumber(code)) but the status is \(answer.status)")
        case nil: problems.append("\"code\" is missing")
        case let other?: problems.append("\"code\" is a \(other.typeName), not the number \(answer.status)")
        }
        switch document["msg"] {
        case .string(let message) where !message.isEmpty: break
        case .string: problems.append("\"msg\" is empty")
        case nil: problems.append("\"msg\" is missing")
        case let other?: problems.append("\"msg\" is a \(other.typeName), not a string")
        }
        switch document["details"] {
        case .string: break
        case nil: problems.append("\"details\" is missing (use \"\" when there is nothing to add)")
        case let other?: problems.append("\"details\" is a \(other.typeName), not a string")
        }
        guard problems.isEmpty else {
            return "\(status) with a malformed error document \(text): \(problems.joined(separator: "; "))"
        }
        return nil
    }
}
