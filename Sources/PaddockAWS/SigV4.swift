import Crypto
import Foundation

/// AWS Signature Version 4 (the EC2 Query API's authentication), on swift-crypto's SHA-256 and
/// HMAC. Checked against AWS's published examples in the tests. Shared by the AWS-backed drivers
/// (StorageEBS); nothing here logs or prints a secret.
public struct SigV4Signer: Sendable {
    public struct Credentials: Sendable, CustomStringConvertible {
        public var accessKeyID: String
        public var secretAccessKey: String
        public var sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }

        /// Never the secret: safe in logs and error messages.
        public var description: String { "\(accessKeyID) (secret redacted)" }
    }

    public struct Request: Sendable {
        public var method: String
        public var host: String
        public var path: String
        public var query: [(String, String)]
        public var headers: [(String, String)]
        public var body: [UInt8]

        public init(method: String, host: String, path: String = "/", query: [(String, String)] = [],
                    headers: [(String, String)] = [], body: [UInt8] = []) {
            self.method = method
            self.host = host
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
        }
    }

    public var credentials: Credentials
    public var region: String
    public var service: String

    public init(credentials: Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to `request` (Authorization, X-Amz-Date, and the session token if any).
    public func sign(_ request: Request, at date: Date) -> [(String, String)] {
        let (stamp, day) = Self.timestamps(date)
        var request = request
        if !request.headers.contains(where: { $0.0.lowercased() == "host" }) { request.headers.append(("Host", request.host)) }
        request.headers.append(("X-Amz-Date", stamp))
        if let token = credentials.sessionToken { request.headers.append(("X-Amz-Security-Token", token)) }
        let (canonical, signedHeaders) = Self.canonicalRequest(request)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let toSign = Self.stringToSign(canonical: canonical, timestamp: stamp, scope: scope)
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(
            for: Data(toSign.utf8), using: signingKey(day: day)))
        var added = [("X-Amz-Date", stamp)]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        added.append(("Authorization",
                      "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"))
        return added
    }

    public func signingKey(day: String) -> SymmetricKey {
        func step(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
        }
        let secret = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        return step(step(step(step(secret, day), region), service), "aws4_request")
    }

    /// The canonical request and its signed-header list, as the SigV4 specification defines them.
    public static func canonicalRequest(_ request: Request) -> (text: String, signedHeaders: String) {
        let path = request.path.split(separator: "/", omittingEmptySubsequences: false)
            .map { uriEncode(String($0)) }.joined(separator: "/")
        let encoded: [(key: String, value: String)] = request.query.map { (uriEncode($0.0), uriEncode($0.1)) }
        let ordered = encoded.sorted { (a: (key: String, value: String), b: (key: String, value: String)) -> Bool in
            a.key == b.key ? a.value < b.value : a.key < b.key
        }
        let query = ordered.map { (pair: (key: String, value: String)) -> String in pair.key + "=" + pair.value }
            .joined(separator: "&")
        var headers: [String: [String]] = [:]
        for (name, value) in request.headers {
            let trimmed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            headers[name.lowercased(), default: []].append(trimmed)
        }
        let names = headers.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(headers[$0]!.joined(separator: ","))\n" }.joined()
        let signed = names.joined(separator: ";")
        let payload = hex(SHA256.hash(data: Data(request.body)))
        let text = [request.method, path.isEmpty ? "/" : path, query, canonicalHeaders, signed, payload].joined(separator: "\n")
        return (text, signed)
    }

    public static func stringToSign(canonical: String, timestamp: String, scope: String) -> String {
        "AWS4-HMAC-SHA256\n\(timestamp)\n\(scope)\n\(hex(SHA256.hash(data: Data(canonical.utf8))))"
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters.
    public static func uriEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// ("20150830T123600Z", "20150830") in UTC.
    public static func timestamps(_ date: Date) -> (String, String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let day = String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
        return (day + String(format: "T%02d%02d%02dZ", c.hour!, c.minute!, c.second!), day)
    }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
