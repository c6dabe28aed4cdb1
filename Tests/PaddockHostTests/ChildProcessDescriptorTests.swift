import Glibc
import PaddockPosix
import XCTest

/// A child gets stdin, stdout and stderr and nothing else, even when this process holds
/// descriptors without FD_CLOEXEC (a leak elsewhere once pushed wrk's sockets past its
/// event-loop size, which wrk reports as connect errors).
final class ChildProcessDescriptorTests: XCTestCase {
    func testAChildInheritsOnlyTheStandardDescriptors() throws {
        let leaked = open("/dev/null", O_RDONLY)  // deliberately without O_CLOEXEC
        XCTAssertGreaterThan(leaked, 2)
        defer { close(leaked) }
        let outcome = try ChildProcess.run("/bin/ls", arguments: ["/proc/self/fd"], timeoutSeconds: 10)
        XCTAssertEqual(outcome.termination, .exited(0))
        let descriptors = String(decoding: outcome.stdout, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }
        // 0–2, plus the one ls opened to read the directory.
        XCTAssertFalse(descriptors.contains(leaked), "the child inherited descriptor \(leaked): \(descriptors)")
        XCTAssertLessThanOrEqual(descriptors.count, 4, "\(descriptors)")
    }
}
