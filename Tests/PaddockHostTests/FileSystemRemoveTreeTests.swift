import Glibc
import PaddockPosix
import XCTest

final class FileSystemRemoveTreeTests: XCTestCase {
    func testRemovesATreeButNotWhatALinkInItPointsTo() throws {
        var template = Array("/tmp/paddock-remove-tree.XXXXXX".utf8CString)
        XCTAssertNotNil(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) })
        let base = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { FileSystem.removeTree(base) }
        try FileSystem.makeDirectories("\(base)/tree/a/b")
        try AtomicFile.write(Array("x".utf8), to: "\(base)/tree/a/b/file")
        try FileSystem.makeDirectories("\(base)/kept")
        try AtomicFile.write(Array("y".utf8), to: "\(base)/kept/file")
        XCTAssertEqual(symlink("\(base)/kept", "\(base)/tree/a/link"), 0)

        FileSystem.removeTree("\(base)/tree")
        XCTAssertFalse(FileSystem.exists("\(base)/tree"))
        XCTAssertTrue(FileSystem.exists("\(base)/kept/file"))
        FileSystem.removeTree("\(base)/tree")  // missing: nothing to do
    }

    func testALockIsExclusiveUntilItsDescriptorCloses() throws {
        let path = "/tmp/paddock-file-lock-test.\(getpid())"
        defer { unlink(path) }
        let fd = try FileLock.acquire(path)
        let other = open(path, O_RDWR | O_CLOEXEC)
        defer { close(other) }
        XCTAssertEqual(flock(other, LOCK_EX | LOCK_NB), -1)
        close(fd)
        XCTAssertEqual(flock(other, LOCK_EX | LOCK_NB), 0)
    }
}
