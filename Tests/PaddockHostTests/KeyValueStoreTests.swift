import PaddockHost
import PaddockPosix
import XCTest

/// The per-plugin key-value store keeps what it last read per file and trusts it while the file's
/// identity is unchanged; these tests change the file behind its back and check it notices.
final class KeyValueStoreTests: XCTestCase {
    func testTheDirectoryIsMadeOnFirstUse() throws {
        let dir = try temporaryDirectory()
        let store = KeyValueStore(directory: "\(dir.path)/a/b/kv", plugin: "p")
        XCTAssertThrowsError(try store.get("missing")) { XCTAssertEqual($0 as? KeyValueStore.Failure, .notFound) }
        try store.put("k", Array("v".utf8))
        XCTAssertEqual(try store.get("k"), Array("v".utf8))
        XCTAssertEqual(try FileSystem.status("\(dir.path)/a/b/kv").mode, 0o700)
    }

    func testAReplacementByAnotherProcessIsSeenEvenWithTheSameSize() throws {
        let dir = try temporaryDirectory()
        let store = KeyValueStore(directory: dir.path, plugin: "p")
        try store.put("k", Array("one".utf8))
        XCTAssertEqual(try store.get("k"), Array("one".utf8))
        let before = try String(decoding: FileSystem.read(store.file), as: UTF8.self)
        let after = before.replacingOccurrences(of: "\"one\"", with: "\"two\"")
        XCTAssertEqual(before.utf8.count, after.utf8.count)
        // Another process replaces the file the way the store does (temp file, rename).
        let script = "import os,sys\nopen(sys.argv[1]+'.tmp','w').write(sys.argv[2])\nos.rename(sys.argv[1]+'.tmp',sys.argv[1])\n"
        let run = try ChildProcess.run("/usr/bin/python3", arguments: ["-c", script, store.file, after], timeoutSeconds: 30)
        XCTAssertEqual(run.termination, .exited(0))
        XCTAssertEqual(try store.get("k"), Array("two".utf8))
    }

    /// Same-size replacements in quick succession: ext4 hands a freed inode number out again at
    /// once, and before Linux 6.13's multigrain timestamps mtime had the clock tick's resolution,
    /// so device + inode + size + mtime could match a newer file. The pinned file (held open, so
    /// its inode is never freed) rules that out on any kernel; this kernel's fine-grained mtimes
    /// would catch it too, so here the test guards the behaviour rather than reproduces the race.
    func testBackToBackSameSizeReplacementsAreNeverReadStale() throws {
        let dir = try temporaryDirectory()
        let store = KeyValueStore(directory: dir.path, plugin: "p")
        try store.put("k", Array("v000".utf8))
        let template = try String(decoding: FileSystem.read(store.file), as: UTF8.self)
        func write(_ value: String) throws {
            try AtomicFile.write(Array(template.replacingOccurrences(of: "v000", with: value).utf8), to: store.file)
        }
        for round in 1...100 {
            try write(String(format: "a%03d", round))
            _ = try store.get("k")  // cached, with the file's inode
            try write("zzzz")       // a new inode; the cached one is freed…
            try write(String(format: "b%03d", round))  // …and likely reused here, same size, same tick
            XCTAssertEqual(String(decoding: try store.get("k"), as: UTF8.self), String(format: "b%03d", round), "round \(round)")
        }
    }

    func testWritesFromTwoStoresOnOneFileBothLand() throws {
        let dir = try temporaryDirectory()
        let first = KeyValueStore(directory: dir.path, plugin: "p"), second = KeyValueStore(directory: dir.path, plugin: "p")
        try first.put("a", [1])
        try second.put("b", [2])
        try first.compareAndSwap("a", expected: [1], value: [3])
        XCTAssertThrowsError(try second.compareAndSwap("a", expected: [1], value: [4])) {
            XCTAssertEqual($0 as? KeyValueStore.Failure, .conflict)
        }
        XCTAssertEqual(try second.keys(prefix: ""), ["a", "b"])
        XCTAssertEqual(try second.get("a"), [3])
        try second.delete("b")
        XCTAssertEqual(try first.keys(prefix: ""), ["a"])
    }

    func testACorruptFileIsReportedAndLeftForTheOperator() throws {
        let dir = try temporaryDirectory()
        let store = KeyValueStore(directory: dir.path, plugin: "p")
        try store.put("k", [1])
        try AtomicFile.write(Array("{not json".utf8), to: store.file)
        XCTAssertThrowsError(try store.get("k")) { error in
            guard case .io(let message)? = error as? KeyValueStore.Failure else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("corrupt"), message)
            XCTAssertTrue(message.contains(store.file), message)
        }
        XCTAssertThrowsError(try store.put("k", [2]))
        XCTAssertEqual(try FileSystem.read(store.file), Array("{not json".utf8))
    }

    func testMakeDirectoriesMakesEveryMissingParentAndRefusesAFileInTheWay() throws {
        let dir = try temporaryDirectory()
        try FileSystem.makeDirectories("\(dir.path)/x/y/z/")
        XCTAssertEqual(try FileSystem.status("\(dir.path)/x/y/z").kind, .directory)
        try FileSystem.makeDirectories("\(dir.path)/x/y/z")
        try AtomicFile.write([1], to: "\(dir.path)/f")
        XCTAssertThrowsError(try FileSystem.makeDirectories("\(dir.path)/f/g")) { error in
            XCTAssertEqual((error as? SystemError)?.errno, ENOTDIR)
        }
    }
}
