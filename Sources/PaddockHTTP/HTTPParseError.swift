/// Why bytes from a client are not an acceptable HTTP/1.x request, and the status to answer with.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case malformedRequestLine
        case malformedHeader
        case unsupportedVersion
        case badContentLength
        case badChunk
        case unsupportedTransferEncoding
        case headersTooLarge
        case bodyTooLarge
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The response status this error calls for.
    public var status: Int {
        switch code {
        case .unsupportedVersion: return 505
        case .unsupportedTransferEncoding: return 501
        case .headersTooLarge: return 431
        case .bodyTooLarge: return 413
        default: return 400
        }
    }

    public var description: String { message }
}
