import Crypto
import Foundation
import PaddockPosix

/// Ed25519 keys as Paddock stores them: one line of base64 of the raw 32-byte key, in `NAME.key`
/// (private, mode 0600) and `NAME.pub` (public). Trusted public keys live in `<config>/keys/`.
public enum SigningKey {
    public static func generate(prefix: String) throws -> (privateKey: String, publicKey: String) {
        let key = Curve25519.Signing.PrivateKey()
        let privatePath = "\(prefix).key", publicPath = "\(prefix).pub"
        guard !FileSystem.exists(privatePath), !FileSystem.exists(publicPath) else {
            throw HostError(.invalidInput, "\(privatePath) or \(publicPath) exists already", hint: "choose another prefix or remove them")
        }
        try AtomicFile.write(Array((key.rawRepresentation.base64EncodedString() + "\n").utf8), to: privatePath, mode: 0o600)
        try AtomicFile.write(Array((key.publicKey.rawRepresentation.base64EncodedString() + "\n").utf8), to: publicPath, mode: 0o644)
        return (privatePath, publicPath)
    }

    public static func loadPrivate(_ path: String) throws -> Curve25519.Signing.PrivateKey {
        let raw = try decode(path, what: "private key")
        do {
            return try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        } catch {
            throw HostError(.invalidInput, "\(path) is not an ed25519 private key (\(error))",
                            hint: "make one with `paddock plugin keygen PREFIX`")
        }
    }

    public static func loadPublic(_ path: String) throws -> Curve25519.Signing.PublicKey {
        let raw = try decode(path, what: "public key")
        do {
            return try Curve25519.Signing.PublicKey(rawRepresentation: raw)
        } catch {
            throw HostError(.invalidInput, "\(path) is not an ed25519 public key (\(error))")
        }
    }

    static func decode(_ path: String, what: String) throws -> Data {
        let text: String
        do {
            text = String(decoding: try FileSystem.read(path, limit: 4096), as: UTF8.self)
        } catch {
            throw HostError(.invalidInput, "cannot read \(what) \(path): \(error)")
        }
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw HostError(.invalidInput, "\(path) is not a \(what): expected one line of base64 encoding 32 bytes")
        }
        return data
    }
}
