import Crypto
import Foundation
import PaddockPosix

/// A detached signature beside a plugin file (`FILE.sig`):
///
///     paddock-signature-v1
///     key: <base64 ed25519 public key>
///     sha256: <hex digest of the plugin file>
///     signature: <base64 ed25519 signature over "paddock-signature-v1\n" + the raw digest>
///
/// The digest line lets the host say "signed for another file" apart from "tampered signature".
public struct PluginSignature: Sendable, Equatable {
    public static let header = "paddock-signature-v1"
    public var publicKey: Data
    public var digest: Data
    public var signature: Data

    public static func path(for plugin: String) -> String { plugin + ".sig" }

    static func message(_ digest: Data) -> Data { Data((header + "\n").utf8) + digest }

    public static func sign(file: String, key: Curve25519.Signing.PrivateKey) throws -> PluginSignature {
        let digest = Data(SHA256.hash(data: try FileSystem.read(file)))
        let signature = try key.signature(for: message(digest))
        return PluginSignature(publicKey: key.publicKey.rawRepresentation, digest: digest, signature: signature)
    }

    public var text: String {
        """
        \(Self.header)
        key: \(publicKey.base64EncodedString())
        sha256: \(digest.map { String(format: "%02x", $0) }.joined())
        signature: \(signature.base64EncodedString())

        """
    }

    /// Parses a signature file; the error says what is missing or malformed.
    public static func parse(_ text: String) throws(SignatureError) -> PluginSignature {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard lines.first == header else { throw .malformed("it does not start with \(header)") }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("line \"\(line.prefix(40))\" is not KEY: VALUE") }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let keyText = fields["key"], let key = Data(base64Encoded: keyText), key.count == 32 else {
            throw .malformed("the key line is missing or not a 32-byte base64 key (truncated?)")
        }
        guard let digestText = fields["sha256"], let digest = Data(hex: digestText), digest.count == 32 else {
            throw .malformed("the sha256 line is missing or not 64 hex digits (truncated?)")
        }
        guard let signatureText = fields["signature"], let signature = Data(base64Encoded: signatureText), signature.count == 64 else {
            throw .malformed("the signature line is missing or not a 64-byte base64 signature (truncated?)")
        }
        return PluginSignature(publicKey: key, digest: digest, signature: signature)
    }

    /// Checks this signature against the file's bytes and the trusted keys.
    public func verify(fileBytes: [UInt8], trusted: [TrustedKey]) throws(SignatureError) -> TrustedKey {
        let actual = Data(SHA256.hash(data: fileBytes))
        guard let signer = trusted.first(where: { $0.publicKey.rawRepresentation == publicKey }) else {
            throw .untrustedKey(publicKey.base64EncodedString())
        }
        guard signer.publicKey.isValidSignature(signature, for: Self.message(digest)) else { throw .badSignature }
        guard actual == digest else { throw .otherFile }
        return signer
    }
}

public enum SignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case untrustedKey(String)
    case badSignature
    case otherFile

    public var description: String {
        switch self {
        case .malformed(let why): "its signature file is malformed: \(why)"
        case .untrustedKey(let key): "signed with an untrusted key (\(key.prefix(12))…); add its .pub to the keys directory if you trust it"
        case .badSignature: "its signature does not verify: the signature file was altered"
        case .otherFile: "the file does not match its signature: it was changed after signing, or the signature is for another file"
        }
    }
}

/// A public key the operator trusts, from `<config>/keys/NAME.pub`.
public struct TrustedKey: @unchecked Sendable {
    public var name: String
    /// Immutable after loading; swift-crypto does not mark the key type Sendable.
    public var publicKey: Curve25519.Signing.PublicKey

    /// Every `*.pub` in the directory; unreadable or malformed ones are reported, not trusted.
    public static func load(directory: String) -> (keys: [TrustedKey], problems: [String]) {
        guard let names = try? FileSystem.list(directory) else { return ([], []) }
        var keys: [TrustedKey] = [], problems: [String] = []
        for name in names where name.hasSuffix(".pub") {
            do {
                keys.append(TrustedKey(name: String(name.dropLast(4)), publicKey: try SigningKey.loadPublic("\(directory)/\(name)")))
            } catch {
                problems.append("\(error)")
            }
        }
        return (keys, problems)
    }
}

extension Data {
    init?(hex: String) {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
