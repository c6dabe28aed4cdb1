import Foundation
import PaddockHost
import PaddockPosix
import XCTest

/// A real etcd 3.4 (Debian etcd-server) on 127.0.0.1, free ports chosen at run time, data under a
/// temp dir; stopped in the test's teardown, also when the test fails.
final class EtcdFixture {
    let clientURL: String
    let directory: TemporaryDirectory
    private var process: Process
    private let arguments: [String]

    static let executable = "/usr/bin/etcd"

    init(_ test: XCTestCase) throws {
        guard FileSystem.exists(EtcdFixture.executable) else { throw XCTSkip("etcd is not installed (Debian etcd-server)") }
        directory = try test.temporaryDirectory("paddock-etcd")
        let clientPort = try LBTest.freePort()
        var peerPort = try LBTest.freePort()
        while peerPort == clientPort { peerPort = try LBTest.freePort() }
        clientURL = "http://127.0.0.1:\(clientPort)"
        let peerURL = "http://127.0.0.1:\(peerPort)"
        arguments = [
            "--name", "paddock-test-\(getpid())", "--data-dir", "\(directory.path)/data",
            "--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
            "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
            "--initial-cluster", "paddock-test-\(getpid())=\(peerURL)", "--logger", "zap", "--log-outputs", "stderr",
        ]
        _ = FileManager.default.createFile(atPath: "\(directory.path)/etcd.out", contents: nil)
        process = Process()
        test.addTeardownBlock { [self] in stop() }  // strong: the test may drop the fixture before teardown
        try start()
    }

    /// Starts etcd (again, on the same ports and data) and waits until it answers.
    func start() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: EtcdFixture.executable)
        process.arguments = arguments
        let output = FileHandle(forWritingAtPath: "\(directory.path)/etcd.out")
        output?.seekToEndOfFile()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let client = self.client(attempts: 1)
        for _ in 0..<100 {
            if (try? client.range(prefix: "/")) != nil { return }
            guard process.isRunning else { break }
            usleep(100_000)
        }
        let log = (try? String(contentsOfFile: "\(directory.path)/etcd.out", encoding: .utf8)) ?? ""
        throw HarnessError("etcd did not come up at \(clientURL): \(log.suffix(2000))")
    }

    func client(prefix: String = "/paddock/", attempts: Int = 3) -> EtcdClient {
        EtcdClient(settings: EtcdSettings(endpoints: [clientURL], prefix: prefix, timeoutSeconds: 2, attempts: attempts))
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// A paddock.json pointing the host at this etcd.
    func writeSettings(configDirectory: String, prefix: String, host: String? = nil) throws {
        try FileSystem.makeDirectories(configDirectory)
        var metadata: [String: Any] = ["etcd": ["endpoints": [clientURL], "prefix": prefix, "timeout_seconds": 2, "attempts": 2]]
        if let host { metadata["host"] = host }
        let data = try JSONSerialization.data(withJSONObject: ["metadata": metadata])
        try AtomicFile.write(Array(data), to: "\(configDirectory)/paddock.json")
    }
}
