import PaddockPosix

/// What the scanner does with `FILE.sig`: a signature that exists is always checked (a bad one is
/// evidence of tampering); with `required`, an unsigned plugin is refused too.
public struct SignaturePolicy: Sendable {
    public var required: Bool
    public var keys: [TrustedKey]
    public var keysDirectory: String

    public init(required: Bool, keysDirectory: String) {
        self.required = required
        self.keysDirectory = keysDirectory
        keys = TrustedKey.load(directory: keysDirectory).keys
    }

    public enum Outcome: Sendable, Equatable {
        case unsigned
        case signed(by: String)
        case refused(String)
    }

    public func check(path: String, bytes: [UInt8]) -> Outcome {
        let signaturePath = PluginSignature.path(for: path)
        guard FileSystem.exists(signaturePath) else {
            return required
                ? .refused("unsigned, and signatures are required; sign it with `paddock plugin sign \(path) --key KEY` using a key whose .pub is in \(keysDirectory)")
                : .unsigned
        }
        do {
            let text = String(decoding: try FileSystem.read(signaturePath, limit: 64 << 10), as: UTF8.self)
            let signature = try PluginSignature.parse(text)
            let signer = try signature.verify(fileBytes: bytes, trusted: keys)
            return .signed(by: signer.name)
        } catch let error as SignatureError {
            return .refused("\(error) (\(signaturePath))")
        } catch {
            return .refused("cannot read \(signaturePath): \(error)")
        }
    }
}
