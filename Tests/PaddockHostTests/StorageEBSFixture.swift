import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import PaddockPosix
import XCTest

/// The EBS driver against a real moto_server on 127.0.0.1, driven through the `paddock` binary.
/// Between the driver and moto sits Fixtures/ec2_state_proxy.py, transparent unless a test asks
/// it for a state moto cannot show (see that file). Attached volumes become loop devices through
/// Fixtures/ebs_loop_hook.sh. Teardown unmounts everything under the scratch directory, frees its
/// loop devices and stops moto and the proxy — also when a test fails.
/// Sendable for concurrent `invoke`s: after init only `transcript` changes, under its lock.
final class StorageEBSFixture: @unchecked Sendable {
    static let secretKey = "PaddockTestSecret/\(getpid())/wJalrXUtnFEMIK7MDENG"
    static let sessionToken = "PaddockTestSessionToken\(getpid())xyz"

    let temp: TemporaryDirectory
    let plugins: String
    let state: String
    let control: String
    let motoPort: Int
    let proxyPort: Int
    private(set) var instanceID = ""
    /// Everything `paddock` printed, to check that no secret ever shows.
    private(set) var transcript = ""
    private var servers: [Process] = []
    private let transcriptLock = NSLock()

    init(_ test: XCTestCase, config: [String: Any] = [:]) throws {
        guard getuid() == 0 else { throw XCTSkip("the EBS tests need root for loop devices and mounts") }
        guard let moto = Self.which("moto_server") else {
            throw XCTSkip("moto_server is not installed (pip install 'moto[server]'); scripts/setup installs it")
        }
        temp = try test.temporaryDirectory("paddock-ebs-\(getpid())")
        plugins = try temp.subdirectory("plugins")
        state = try temp.subdirectory("state")
        control = try temp.subdirectory("proxy")
        motoPort = try LBTest.freePort()
        proxyPort = try LBTest.freePort()
        // Registered after the temp dir, so it runs first (teardown blocks run last-in first-out).
        test.addTeardownBlock { [self] in cleanUp() }
        symlink(try Harness.swiftPlugin("StorageEBS"), "\(plugins)/libStorageEBS.so")
        let hook = "\(temp.path)/ebs_loop_hook.sh"
        try FileManager.default.copyItem(atPath: "\(Harness.fixturesDirectory)/ebs_loop_hook.sh", toPath: hook)
        chmod(hook, 0o755)

        try start(moto, ["-H", "127.0.0.1", "-p", String(motoPort)], log: "moto.log")
        try Self.waitForPort(motoPort)
        try start("/usr/bin/env", ["python3", "\(Harness.fixturesDirectory)/ec2_state_proxy.py", String(proxyPort),
                                   "http://127.0.0.1:\(motoPort)", control], log: "proxy.log")
        try Self.waitForPort(proxyPort)

        let run = try ec2("RunInstances", ["ImageId": "ami-12c6146b", "MinCount": "1", "MaxCount": "1",
                                           "Placement.AvailabilityZone": "us-east-1a"])
        guard let id = Self.values("instanceId", in: run).first else { throw HarnessError("RunInstances: \(run)") }
        instanceID = id

        var enable: [String: Any] = [
            "endpoint": "http://127.0.0.1:\(proxyPort)", "region": "us-east-1", "availability_zone": "us-east-1a",
            "instance_id": instanceID, "device_map_hook": hook, "mount_root": "\(temp.path)/mounts",
            "poll_interval_seconds": 0.2, "detach_timeout_seconds": 2, "wait_timeout_seconds": 30, "device_timeout_seconds": 10,
        ]
        for (key, value) in config { enable[key] = value is NSNull ? nil : value }
        let file = "\(temp.path)/enable.json"
        try JSONSerialization.data(withJSONObject: enable).write(to: URL(fileURLWithPath: file))
        let enabled = try paddock(["plugin", "enable", "ebs", "--config", file])
        guard enabled.status == .exited(0) else { throw HarnessError("enable ebs failed: \(enabled.stderr)\(enabled.stdout)") }
    }

    /// Credentials come from the environment, as on a real host.
    func paddock(_ arguments: [String], timeout: Double = 120) throws -> Harness.Run {
        let run = try Harness.paddock(arguments, pluginPath: plugins, stateDir: state, environment: [
            "AWS_ACCESS_KEY_ID": "AKIDPADDOCKTEST", "AWS_SECRET_ACCESS_KEY": Self.secretKey,
            "AWS_SESSION_TOKEN": Self.sessionToken,
        ], timeout: timeout)
        transcriptLock.lock()
        transcript += run.stdout + run.stderr
        transcriptLock.unlock()
        return run
    }

    /// `paddock --log-level debug plugin invoke ebs storage.OP JSON`: (exit code, answer or error document).
    func invoke(_ operation: String, _ request: [String: Any]) throws -> (code: Int32, body: [String: Any]) {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
        return try invokeRaw(operation, json)
    }

    func invokeRaw(_ operation: String, _ json: String) throws -> (code: Int32, body: [String: Any]) {
        let run = try paddock(["plugin", "invoke", "ebs", "storage.\(operation)", json, "--format", "json", "--log-level", "debug"])
        guard case .exited(let code) = run.status else { throw HarnessError("paddock \(run.status): \(run.stderr)") }
        guard let body = run.json as? [String: Any] else { throw HarnessError("no JSON from storage.\(operation): \(run.stdout) \(run.stderr)") }
        return (code, body)
    }

    /// Expects success; returns the answer.
    @discardableResult
    func ok(_ operation: String, _ request: [String: Any]) throws -> [String: Any] {
        let (code, body) = try invoke(operation, request)
        guard code == 0 else { throw HarnessError("storage.\(operation) failed (\(code)): \(body)") }
        return body
    }

    /// Expects failure; returns the error document.
    func refused(_ operation: String, _ request: [String: Any], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let (code, body) = try invoke(operation, request)
        XCTAssertEqual(code, 1, "storage.\(operation) should fail: \(body)", file: file, line: line)
        return body
    }

    /// A call straight to moto (not through the proxy), to see EC2's truth. moto checks no
    /// signature, but routes a request to EC2 only with an Authorization header naming ec2.
    func ec2(_ action: String, _ parameters: [String: String] = [:]) throws -> String {
        var form = URLComponents()
        form.queryItems = [URLQueryItem(name: "Action", value: action), URLQueryItem(name: "Version", value: "2016-11-15")]
            + parameters.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(motoPort)/")!, timeoutInterval: 30)
        request.httpMethod = "POST"
        request.httpBody = Data((form.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B").utf8)
        request.setValue("application/x-www-form-urlencoded; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0",
                         forHTTPHeaderField: "Authorization")
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, error in
            box.text = data.map { String(decoding: $0, as: UTF8.self) } ?? "error: \(String(describing: error))"
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 40) == .success else { throw HarnessError("moto did not answer \(action)") }
        return box.text
    }

    private final class Box: @unchecked Sendable { var text = "" }

    /// Every `<name>…</name>` text in an XML answer, in order.
    static func values(_ name: String, in xml: String) -> [String] {
        xml.components(separatedBy: "<\(name)>").dropFirst().compactMap { $0.components(separatedBy: "</\(name)>").first }
    }

    func controlFile(_ name: String, _ text: String) throws {
        try text.write(toFile: "\(control)/\(name)", atomically: true, encoding: .utf8)
    }

    /// The form bodies the driver sent, in order.
    var requests: [String] {
        ((try? String(contentsOfFile: "\(control)/requests.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    var events: [[String: Any]] {
        ((try? String(contentsOfFile: "\(state)/events.jsonl", encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func image(_ volumeID: String) -> String { "\(temp.path)/images/\(volumeID).img" }

    /// Loop devices set up over a volume's image file now.
    func loopDevices(_ volumeID: String) throws -> [String] {
        let out = try ChildProcess.run("/sbin/losetup", arguments: ["-j", image(volumeID)], timeoutSeconds: 30)
        return String(decoding: out.stdout, as: UTF8.self).split(separator: "\n").compactMap { $0.split(separator: ":").first.map(String.init) }
    }

    /// Loop devices over the image once they settle (autoclear finishes after the last close).
    func loopDevicesAfterRelease(_ volumeID: String, timeout: Double = 10) throws -> [String] {
        let deadline = ChildProcess.monotonicSeconds() + timeout
        while true {
            let devices = try loopDevices(volumeID)
            if devices.isEmpty || ChildProcess.monotonicSeconds() > deadline { return devices }
            usleep(100_000)
        }
    }

    static func isMountPoint(_ path: String) -> Bool {
        let info = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return info.split(separator: "\n").contains { $0.split(separator: " ").count > 4 && $0.split(separator: " ")[4] == path }
    }

    /// Fails the test if a credential secret shows anywhere a person or program could read it.
    func assertNoSecretsLeaked(file: StaticString = #filePath, line: UInt = #line) {
        let places = ["paddock output": transcript,
                      "events.jsonl": (try? String(contentsOfFile: "\(state)/events.jsonl", encoding: .utf8)) ?? "",
                      "kv store": (try? String(contentsOfFile: "\(state)/kv/ebs.json", encoding: .utf8)) ?? "",
                      "requests sent": (try? String(contentsOfFile: "\(control)/requests.log", encoding: .utf8)) ?? "",
                      "headers sent": (try? String(contentsOfFile: "\(control)/headers.log", encoding: .utf8)) ?? ""]
        for (place, text) in places {
            XCTAssertFalse(text.contains(Self.secretKey), "the secret key appears in \(place)", file: file, line: line)
            XCTAssertFalse(text.contains("wJalrXUtnFEMIK7MDENG"), "part of the secret key appears in \(place)", file: file, line: line)
        }
        for place in ["paddock output", "events.jsonl", "kv store"] {
            XCTAssertFalse(places[place]!.contains(Self.sessionToken), "the session token appears in \(place)", file: file, line: line)
        }
    }

    // MARK: servers and teardown

    private func start(_ executable: String, _ arguments: [String], log: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let handle = FileHandle(forWritingAtPath: { FileManager.default.createFile(atPath: "\(temp.path)/\(log)", contents: nil); return "\(temp.path)/\(log)" }())
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        servers.append(process)
    }

    static func waitForPort(_ port: Int, timeout: Double = 90) throws {
        let deadline = ChildProcess.monotonicSeconds() + timeout
        while ChildProcess.monotonicSeconds() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            usleep(200_000)
        }
        throw HarnessError("nothing listens on 127.0.0.1:\(port) after \(Int(timeout)) s")
    }

    static func which(_ program: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/root/.pyenv/shims:/usr/local/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private func cleanUp() {
        // Mounts under the scratch directory, deepest first.
        let info = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let mounts = info.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            return fields.count > 4 && fields[4].hasPrefix(temp.path + "/") ? String(fields[4]) : nil
        }
        for mount in mounts.sorted(by: { $0.count > $1.count }) { umount2(mount, Int32(MNT_DETACH)) }
        // Loop devices over the images.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(temp.path)/images")) ?? [] {
            let out = try? ChildProcess.run("/sbin/losetup", arguments: ["-j", "\(temp.path)/images/\(name)"], timeoutSeconds: 30)
            for device in String(decoding: out?.stdout ?? [], as: UTF8.self).split(separator: "\n").compactMap({ $0.split(separator: ":").first }) {
                _ = try? ChildProcess.run("/sbin/losetup", arguments: ["-d", String(device)], timeoutSeconds: 30)
            }
        }
        for process in servers where process.isRunning {
            process.terminate()
            let deadline = ChildProcess.monotonicSeconds() + 5
            while process.isRunning && ChildProcess.monotonicSeconds() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        servers = []
    }
}
