import Glibc
import PaddockPosix
import XCTest

/// The output modes of ChildProcess the drivers use: one combined pipe, and an output file for
/// children started without waiting.
final class ChildProcessOutputTests: XCTestCase {
    func testCombinedOutputInterleavesStdoutAndStderrInOrder() throws {
        let outcome = try ChildProcess.run("/bin/sh", arguments: ["-c", "echo one; echo two >&2; echo three; exit 3"],
                                           output: .combined, timeoutSeconds: 10)
        XCTAssertEqual(outcome.termination, .exited(3))
        XCTAssertEqual(outcome.termination.shellStatus, 3)
        XCTAssertEqual(String(decoding: outcome.stdout, as: UTF8.self), "one\ntwo\nthree\n")
        XCTAssertEqual(outcome.stderr, [])
    }

    func testShellStatusOfASignalAndOfATimeout() throws {
        let killed = try ChildProcess.run("/bin/sh", arguments: ["-c", "kill -TERM $$"], timeoutSeconds: 10)
        XCTAssertEqual(killed.termination.shellStatus, 128 + SIGTERM)
        let slow = try ChildProcess.run("/bin/sleep", arguments: ["5"], output: .combined, timeoutSeconds: 0.2)
        XCTAssertEqual(slow.termination, .timedOut(seconds: 0.2))
        XCTAssertEqual(slow.termination.shellStatus, 128 + SIGKILL)
    }

    func testOutputFileRunTruncatesOrAppendsAndHoldsBothStreams() throws {
        let directory = try makeTemporaryDirectory()
        defer { _ = try? ChildProcess.run("/bin/rm", arguments: ["-rf", directory], timeoutSeconds: 10) }
        let log = "\(directory)/out.log"
        let first = try ChildProcess.run("/bin/sh", arguments: ["-c", "echo a; echo b >&2"], output: .init(log),
                                         grouping: .ownGroup, timeoutSeconds: 10)
        XCTAssertEqual(first.termination, .exited(0))
        XCTAssertEqual(String(decoding: first.stdout, as: UTF8.self), "a\nb\n")
        let appended = try ChildProcess.run("/bin/echo", arguments: ["c"], output: .init(log, append: true),
                                            grouping: .inherited, timeoutSeconds: 10)
        XCTAssertEqual(String(decoding: appended.stdout, as: UTF8.self), "a\nb\nc\n")
        let truncated = try ChildProcess.run("/bin/echo", arguments: ["d"], output: .init(log),
                                             grouping: .inherited, timeoutSeconds: 10)
        XCTAssertEqual(String(decoding: truncated.stdout, as: UTF8.self), "d\n")
    }

    func testSpawnInASessionOfItsOwnAndWaitKillsAtTheTimeout() throws {
        let directory = try makeTemporaryDirectory()
        defer { _ = try? ChildProcess.run("/bin/rm", arguments: ["-rf", directory], timeoutSeconds: 10) }
        let pid = try ChildProcess.spawn("/bin/sh", arguments: ["-c", "echo $PADDOCK_TEST_VALUE; exec sleep 30"],
                                         environment: ["PADDOCK_TEST_VALUE": "set"],
                                         output: .init("\(directory)/daemon.log"), grouping: .ownSession)
        XCTAssertEqual(getsid(pid), pid)
        XCTAssertEqual(try ChildProcess.wait(pid, timeoutSeconds: 0.3), .timedOut(seconds: 0.3))
        XCTAssertEqual(String(decoding: try FileSystem.read("\(directory)/daemon.log"), as: UTF8.self), "set\n")
    }

    func testSpawnFailureNamesTheCallAndTheProgram() {
        XCTAssertThrowsError(try ChildProcess.spawn("/nonexistent/program", arguments: [], output: .init("/dev/null"),
                                                    grouping: .inherited)) { error in
            let failure = error as? SystemError
            XCTAssertEqual(failure?.call, "posix_spawn")
            XCTAssertEqual(failure?.errno, ENOENT)
            XCTAssertEqual(failure?.path, "/nonexistent/program")
        }
    }

    private func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/paddock-child-output.XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { throw SystemError("mkdtemp") }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
