import PaddockLBModel

/// A certificate from lb_config (`certs`, `default_cert`): a PEM file with the chain and the private
/// key (as HAProxy's `crt` takes it), or the key beside it in NAME.key.
struct Certificate: Equatable {
    /// The path the config named.
    var source: String
    /// Where in lb_config it was named, for errors.
    var origin: String
    /// The CERTIFICATE blocks, leaf first, as nginx's ssl_certificate wants them.
    var chain: String
    var key: String
    /// Lowercased DNS names: subjectAltName entries, or the CN when there are none.
    var names: [String]

    /// Names the copies in the balancer's prefix: a changed certificate is a changed config.
    var fingerprint: String { contentFingerprint(chain + key) }

    static func load(_ path: String, origin: String) throws(LBModelError) -> Certificate {
        let fix = "give a PEM file with the certificate chain and its private key (or the key in a .key file beside it)"
        guard path.hasPrefix("/") else {
            throw LBModelError(origin, "\"\(path)\" must be an absolute path to a PEM file; \(fix)")
        }
        guard let text = Files.readText(path) else {
            throw LBModelError(origin, "cannot read \(path); \(fix)")
        }
        let blocks = PEMBlock.blocks(in: text)
        let certificates = blocks.filter { $0.label == "CERTIFICATE" || $0.label == "TRUSTED CERTIFICATE" }
        guard !certificates.isEmpty else {
            throw LBModelError(origin, "\(path) is not a PEM certificate: it has no \"-----BEGIN CERTIFICATE-----\" block; \(fix)")
        }
        var names: [String] = []
        for (index, block) in certificates.enumerated() {
            guard let der = block.bytes, let found = X509Names.dnsNames(der) else {
                throw LBModelError(origin, "\(path): certificate block \(index + 1) is not a valid base64 DER certificate; \(fix)")
            }
            // Only what can be a server_name (a CN may be a phrase).
            if index == 0 { names = found.filter { !$0.isEmpty && $0.allSatisfy(NginxLimits.hostCharacters.contains) } }
        }
        var keyBlock = blocks.first { $0.label.hasSuffix("PRIVATE KEY") }
        var keySource = path
        if keyBlock == nil {
            for candidate in siblingKeyPaths(path) {
                if let keyText = Files.readText(candidate),
                   let found = PEMBlock.blocks(in: keyText).first(where: { $0.label.hasSuffix("PRIVATE KEY") }) {
                    keyBlock = found
                    keySource = candidate
                    break
                }
            }
        }
        guard let keyBlock else {
            throw LBModelError(origin, "\(path) has no private key (no \"-----BEGIN … PRIVATE KEY-----\" block, no \(siblingKeyPaths(path).joined(separator: " or "))); \(fix)")
        }
        guard keyBlock.label != "ENCRYPTED PRIVATE KEY", !keyBlock.headers.contains(where: { $0.contains("ENCRYPTED") }) else {
            throw LBModelError(origin, "the private key in \(keySource) is encrypted; the balancer needs it unencrypted (openssl pkey -in KEY -out KEY.plain)")
        }
        guard keyBlock.bytes != nil else {
            throw LBModelError(origin, "the private key block in \(keySource) is not valid base64; \(fix)")
        }
        return Certificate(source: path, origin: origin, chain: certificates.map(\.text).joined(),
                           key: keyBlock.text, names: names)
    }

    /// a.pem → a.pem.key, a.key; a.crt → a.crt.key, a.key.
    static func siblingKeyPaths(_ path: String) -> [String] {
        var paths = ["\(path).key"]
        for suffix in [".pem", ".crt", ".cer"] where path.hasSuffix(suffix) {
            paths.append(String(path.dropLast(suffix.count)) + ".key")
        }
        return paths
    }
}

/// The certificates of one balancer in serving order: the default one first (default_cert, else
/// the first of certs), then the others; a file named twice is loaded once.
enum CertificateSet {
    static func load(_ config: LBConfig) throws(LBModelError) -> [Certificate] {
        var named: [(String, String)] = []
        if let path = config.defaultCert { named.append((path, "lb_config.default_cert")) }
        for (index, path) in config.certs.enumerated() where !named.contains(where: { $0.0 == path }) {
            named.append((path, "lb_config.certs[\(index)]"))
        }
        var result: [Certificate] = []
        for (path, origin) in named { result.append(try Certificate.load(path, origin: origin)) }
        for certificate in result.dropFirst() where certificate.names.isEmpty {
            throw LBModelError(certificate.origin, "\(certificate.source) names no host (no subjectAltName DNS entry, no CN): only the default_cert can be such a certificate")
        }
        return result
    }
}
