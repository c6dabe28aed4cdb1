import Foundation
import Glibc
import PaddockPosix
import XCTest

/// The nginx driver enabled in a scratch plugin and state directory, driven through the real
/// `paddock` binary. Teardown removes every balancer, kills any nginx left under the scratch
/// directory (by pid), stops the backends and deletes the directory — also when a test fails.
final class LBNginxFixture {
    let temp: TemporaryDirectory
    let plugins: String
    let state: String
    private(set) var backends: [LBTestBackend] = []
    private var balancers: Set<String> = []

    init(_ test: XCTestCase, enableConfig: [String: Any] = [:]) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") else {
            throw XCTSkip("nginx is not installed (Debian: apt-get install nginx libnginx-mod-stream)")
        }
        temp = try test.temporaryDirectory("paddock-nginx")
        plugins = try temp.subdirectory("plugins")
        state = try temp.subdirectory("state")
        symlink(try Harness.swiftPlugin("LBNginx"), "\(plugins)/libLBNginx.so")
        test.addTeardownBlock { [self] in cleanUp() }
        let config = "\(temp.path)/enable.json"
        try JSONSerialization.data(withJSONObject: enableConfig).write(to: URL(fileURLWithPath: config))
        let enable = try paddock(["plugin", "enable", "nginx", "--config", config])
        guard enable.status == .exited(0) else { throw HarnessError("enable nginx failed: \(enable.stderr)\(enable.stdout)") }
    }

    func paddock(_ arguments: [String], timeout: Double = 60) throws -> Harness.Run {
        try Harness.paddock(arguments, pluginPath: plugins, stateDir: state, timeout: timeout)
    }

    /// `paddock plugin invoke nginx lb.OP JSON`: (exit code, answer or error document).
    func invoke(_ operation: String, _ request: [String: Any]) throws -> (code: Int32, body: [String: Any]) {
        if let name = request["name"] as? String { balancers.insert(name) }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
        let run = try paddock(["plugin", "invoke", "nginx", "lb.\(operation)", json, "--format", "json"])
        guard case .exited(let code) = run.status else { throw HarnessError("paddock \(run.status): \(run.stderr)") }
        guard let body = run.json as? [String: Any] else { throw HarnessError("no JSON from lb.\(operation): \(run.stdout) \(run.stderr)") }
        return (code, body)
    }

    /// Applies and expects success; returns the answer.
    @discardableResult
    func apply(_ request: [String: Any], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let (code, body) = try invoke("apply", request)
        guard code == 0 else { throw HarnessError("apply failed (\(code)): \(body)") }
        return body
    }

    /// Expects the call to fail with `code`; returns the error document.
    func refused(_ operation: String, _ request: [String: Any], code: Int) throws -> [String: Any] {
        let (exit, body) = try invoke(operation, request)
        XCTAssertEqual(exit, 1, "lb.\(operation) should fail: \(body)")
        XCTAssertEqual(body["code"] as? Int, code, "\(body)")
        return body
    }

    func backend(_ name: String, mode: LBTestBackend.Mode = .http) throws -> LBTestBackend {
        let backend = try LBTestBackend(name, mode: mode)
        backends.append(backend)
        return backend
    }

    var runDirectory: String { "\(state)/plugins/nginx" }

    func writeMetadata(_ document: [String: Any]) throws {
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: "\(state)/metadata.json"))
    }

    /// nginx processes whose command line names this fixture's directory.
    func nginxProcesses() -> [pid_t] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0) }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return line.contains("nginx") && line.contains(temp.path)
        }
    }

    private func cleanUp() {
        for name in balancers.sorted() { _ = try? invoke("remove", ["name": name]) }
        for pid in nginxProcesses() { kill(pid, SIGKILL) }
        for backend in backends { backend.stop() }
        // XCTest keeps teardown closures (and so the TemporaryDirectory) alive after the test:
        // remove the directory here rather than waiting for its deinit.
        try? FileManager.default.removeItem(atPath: temp.path)
    }
}

/// What `wrk` printed, parsed.
struct WrkReport {
    var requests = 0
    var non2xx = 0
    var socketErrors = 0
    var text = ""

    init(_ output: String) {
        text = output
        for line in output.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.contains("requests in") { requests = Int(line.split(separator: " ").first ?? "") ?? 0 }
            if line.hasPrefix("Non-2xx or 3xx responses:") { non2xx = Int(line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) ?? -1 }
            if line.hasPrefix("Socket errors:") {
                // Socket errors: connect 0, read 266, write 0, timeout 0
                socketErrors = line.dropFirst("Socket errors:".count).split(separator: ",").reduce(0) { sum, part in
                    sum + (Int(part.split(separator: " ").last ?? "") ?? 0)
                }
            }
        }
    }
}

/// A test CA and server certificates made with the openssl command line.
struct LBTestCertificates {
    let directory: String
    var ca: String { "\(directory)/ca.pem" }

    init(in directory: String) throws {
        self.directory = directory
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", "\(directory)/ca.key", "-out", "\(directory)/ca.pem", "-days", "2", "-subj", "/CN=Paddock test CA"])
    }

    /// A PEM file with the certificate for `names` (signed by the CA) followed by its key.
    func issue(_ file: String, names: [String]) throws -> String {
        let base = "\(directory)/\(file)"
        try Self.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", "\(base).key", "-out", "\(base).csr", "-subj", "/CN=\(names[0])"])
        try Data("subjectAltName=\(names.map { "DNS:\($0)" }.joined(separator: ","))\n".utf8)
            .write(to: URL(fileURLWithPath: "\(base).ext"))
        try Self.openssl(["x509", "-req", "-in", "\(base).csr", "-CA", ca, "-CAkey", "\(directory)/ca.key", "-CAcreateserial",
                          "-out", "\(base).crt", "-days", "2", "-extfile", "\(base).ext"])
        let pem = try String(contentsOfFile: "\(base).crt", encoding: .utf8) + String(contentsOfFile: "\(base).key", encoding: .utf8)
        try Data(pem.utf8).write(to: URL(fileURLWithPath: "\(base).pem"))
        return "\(base).pem"
    }

    static func openssl(_ arguments: [String]) throws {
        let run = try ChildProcess.run("/usr/bin/openssl", arguments: arguments, timeoutSeconds: 60)
        guard run.termination == .exited(0) else {
            throw HarnessError("openssl \(arguments.first ?? "") failed: \(String(decoding: run.stderr, as: UTF8.self))")
        }
    }
}
