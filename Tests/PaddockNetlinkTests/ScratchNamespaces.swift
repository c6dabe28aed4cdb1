import Foundation
import XCTest

/// Runs a command and returns its exit status and output (tests only; the library never execs).
@discardableResult
func shell(_ arguments: [String], check: Bool = true) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let output = String(decoding: data, as: UTF8.self)
    if check && process.terminationStatus != 0 {
        throw NSError(domain: "run", code: Int(process.terminationStatus),
                      userInfo: [NSLocalizedDescriptionKey: "\(arguments.joined(separator: " ")) failed: \(output)"])
    }
    return (process.terminationStatus, output)
}

/// Named network namespaces for one test, prefixed with the pid, removed in the test's teardown.
final class ScratchNamespaces {
    let prefix: String
    private(set) var names: [String] = []

    init(_ test: XCTestCase, tag: String) throws {
        guard getuid() == 0 else { throw XCTSkip("network namespace tests need root") }
        prefix = "pnl\(getpid())\(tag)"
        test.addTeardownBlock { [self] in removeAll() }
    }

    func make(_ suffix: String) throws -> String {
        let name = "\(prefix)\(suffix)"
        try shell(["ip", "netns", "add", name])
        names.append(name)
        return name
    }

    func removeAll() {
        for name in names { _ = try? shell(["ip", "netns", "del", name], check: false) }
        names = []
    }

    /// `ip -n NS -j ARGS…` parsed.
    func json(_ namespace: String, tool: String = "ip", _ arguments: [String]) throws -> [[String: Any]] {
        let output = try shell([tool, "-n", namespace, "-j"] + arguments).output
        return (try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]]) ?? []
    }
}
