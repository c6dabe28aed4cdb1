import Foundation
import PaddockPosix
import XCTest

/// A test CA and server certificates made with openssl in the test's temp dir.
struct TestCertificates {
    let directory: String
    var caCertificate: String { "\(directory)/ca.pem" }

    init(directory: String) throws {
        guard FileSystem.exists("/usr/bin/openssl") else { throw XCTSkip("openssl is not installed; .ci/run installs it") }
        self.directory = directory
        try Self.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Paddock Test CA",
                          "-keyout", "\(directory)/ca.key", "-out", caCertificate])
    }

    /// A certificate for `name` signed by the CA; returns a PEM file holding certificate and key.
    func issue(_ name: String) throws -> String {
        let base = "\(directory)/\(name)"
        try Self.openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(name)", "-keyout", "\(base).key", "-out", "\(base).csr"])
        try Data("subjectAltName=DNS:\(name)\n".utf8).write(to: URL(fileURLWithPath: "\(base).ext"))
        try Self.openssl(["x509", "-req", "-in", "\(base).csr", "-CA", caCertificate, "-CAkey", "\(directory)/ca.key",
                          "-CAcreateserial", "-days", "2", "-extfile", "\(base).ext", "-out", "\(base).crt"])
        let pem = try String(contentsOfFile: "\(base).crt", encoding: .utf8) + String(contentsOfFile: "\(base).key", encoding: .utf8)
        try Data(pem.utf8).write(to: URL(fileURLWithPath: "\(base).pem"))
        return "\(base).pem"
    }

    static func openssl(_ arguments: [String]) throws {
        let outcome = try ChildProcess.run("/usr/bin/openssl", arguments: arguments, timeoutSeconds: 60)
        guard outcome.termination == .exited(0) else {
            throw HarnessError("openssl \(arguments.first ?? "") failed: \(String(decoding: outcome.stderr, as: UTF8.self))")
        }
    }

    /// GET over TLS with SNI `name` to 127.0.0.1:port, trusting only the test CA. Returns the body
    /// (empty when the handshake or verification failed) and curl's stderr.
    func get(port: Int, name: String, path: String = "/") throws -> (body: String, error: String) {
        let outcome = try ChildProcess.run("/usr/bin/curl", arguments: [
            "-sS", "--max-time", "10", "--cacert", caCertificate, "--resolve", "\(name):\(port):127.0.0.1",
            "https://\(name):\(port)\(path)",
        ], timeoutSeconds: 30)
        return (String(decoding: outcome.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
                String(decoding: outcome.stderr, as: UTF8.self))
    }

    /// The CN of the certificate a TLS server at 127.0.0.1:port presents for SNI `name`.
    func presentedName(port: Int, name: String) throws -> String {
        let outcome = try ChildProcess.run("/bin/sh", arguments: ["-c",
            "echo | /usr/bin/openssl s_client -connect 127.0.0.1:\(port) -servername \(name) 2>/dev/null | /usr/bin/openssl x509 -noout -subject"],
            timeoutSeconds: 30)
        let text = String(decoding: outcome.stdout, as: UTF8.self)
        guard let range = text.range(of: "CN = ") ?? text.range(of: "CN=") else { return "" }
        return String(text[range.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
