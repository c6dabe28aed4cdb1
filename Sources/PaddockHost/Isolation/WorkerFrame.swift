import PaddockCore

/// The messages between the host and a plugin worker, each one socket frame.
/// Requests: opcode byte, then  create: config JSON | call: kind byte, op length byte, op, request.
/// Replies: status (i32 big-endian), then the result or error document JSON.
enum WorkerFrame {
    static let create: UInt8 = 1
    static let call: UInt8 = 2
    static let destroy: UInt8 = 3

    static func createRequest(config: [UInt8]) -> [UInt8] { [create] + config }

    static func callRequest(kind: PluginKind, operation: String, request: [UInt8]) -> [UInt8] {
        let op = Array(operation.utf8.prefix(255))
        let kindIndex = UInt8(PluginKind.allCases.firstIndex(of: kind)!)
        return [call, kindIndex, UInt8(op.count)] + op + request
    }

    enum Request: Equatable {
        case create(config: [UInt8])
        case call(kind: PluginKind, operation: String, request: [UInt8])
        case destroy
    }

    static func parse(_ frame: [UInt8]) -> Request? {
        guard let opcode = frame.first else { return nil }
        switch opcode {
        case create:
            return .create(config: Array(frame.dropFirst()))
        case call:
            guard frame.count >= 3, Int(frame[1]) < PluginKind.allCases.count else { return nil }
            let length = Int(frame[2])
            guard frame.count >= 3 + length else { return nil }
            let operation = String(decoding: frame[3..<(3 + length)], as: UTF8.self)
            return .call(kind: PluginKind.allCases[Int(frame[1])], operation: operation, request: Array(frame[(3 + length)...]))
        case destroy:
            return .destroy
        default:
            return nil
        }
    }

    static func reply(status: Int32, body: JSONValue) -> [UInt8] {
        let bits = UInt32(bitPattern: status)
        return [UInt8(bits >> 24), UInt8(bits >> 16 & 0xff), UInt8(bits >> 8 & 0xff), UInt8(bits & 0xff)]
            + Array(body.serialized().utf8)
    }

    static func parseReply(_ frame: [UInt8]) -> (status: Int32, body: JSONValue)? {
        guard frame.count >= 4 else { return nil }
        let bits = UInt32(frame[0]) << 24 | UInt32(frame[1]) << 16 | UInt32(frame[2]) << 8 | UInt32(frame[3])
        guard let body = try? JSONValue(parsing: Array(frame[4...])) else { return nil }
        return (Int32(bitPattern: bits), body)
    }
}
