import Foundation
import Glibc
import PaddockPosix
import XCTest

/// The scan cache: unchanged files are not read again, a crashed probe quarantines the file until
/// it changes or `plugin reset`, and a corrupt cache is rebuilt rather than trusted.
final class ScanCacheTests: XCTestCase {
    func rows(_ plugins: String, _ state: String) throws -> [[String: Any]] {
        let run = try Harness.paddock(["plugin", "list", "--format", "json"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(run.status, .exited(0), run.stderr)
        return try XCTUnwrap(run.json as? [[String: Any]])
    }

    func testARepeatedListReadsNoUnchangedFile() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let file = try Harness.fixture("GOOD", name: "cached", into: plugins)
        XCTAssertEqual(try rows(plugins, state).first?["status"] as? String, "disabled")
        XCTAssertTrue(FileSystem.exists("\(state)/scan-cache.json"))
        // Overwrite the contents in place, keeping size, inode and mtime: only a reader would notice.
        let before = try FileSystem.status(file)
        let size = Int(before.size)
        let fd = open(file, O_WRONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let zeros = [UInt8](repeating: 0, count: size)
        XCTAssertEqual(zeros.withUnsafeBytes { pwrite(fd, $0.baseAddress, size, 0) }, size)
        var times = [timespec(tv_sec: Int(before.mtimeNanoseconds / 1_000_000_000), tv_nsec: Int(before.mtimeNanoseconds % 1_000_000_000)),
                     timespec(tv_sec: Int(before.mtimeNanoseconds / 1_000_000_000), tv_nsec: Int(before.mtimeNanoseconds % 1_000_000_000))]
        XCTAssertEqual(futimens(fd, &times), 0)
        close(fd)
        XCTAssertEqual(try FileSystem.status(file).mtimeNanoseconds, before.mtimeNanoseconds)
        let cached = try rows(plugins, state)
        XCTAssertEqual(cached.first?["status"] as? String, "disabled", "served from the cache: the file was not read")
        XCTAssertEqual(cached.first?["name"] as? String, "cached")
        // Any change to the identity makes it read again, and the zeros are caught.
        var later = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, file, &later, 0), 0)
        let reread = try rows(plugins, state)
        XCTAssertEqual(reread.first?["status"] as? String, "error")
        XCTAssertTrue((reread.first?["reason"] as? String ?? "").contains("not an ELF file"), "\(reread)")
    }

    func testACrashedProbeIsQuarantinedUntilTheFileChangesOrReset() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        let file = try Harness.fixture("SEGV_ENTRY", name: "crashy", into: plugins)
        let config = try sizeConfig(temp)
        let enable = try Harness.paddock(["plugin", "enable", "crashy", "--config", config], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(enable.status, .exited(1))
        var row = try rows(plugins, state).first
        XCTAssertEqual(row?["status"] as? String, "error")
        XCTAssertTrue((row?["reason"] as? String ?? "").contains("quarantined: crashed while loading: killed by SIGSEGV"), "\(row ?? [:])")
        XCTAssertTrue((row?["reason"] as? String ?? "").contains("paddock plugin reset crashy"))
        // A second enable does not even try: the quarantine says why.
        let again = try Harness.paddock(["plugin", "enable", "crashy", "--config", config], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(again.status, .exited(1))
        XCTAssertTrue(again.stderr.contains("quarantined"), again.stderr)
        // reset clears it (the file is still broken, so the next enable fails again, freshly).
        let reset = try Harness.paddock(["plugin", "reset", "crashy"], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(reset.status, .exited(0), reset.stderr)
        XCTAssertEqual(reset.stdout, "Reset crashy.\n")
        row = try rows(plugins, state).first
        XCTAssertEqual(row?["status"] as? String, "disabled")
        _ = try Harness.paddock(["plugin", "enable", "crashy", "--config", config], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(try rows(plugins, state).first?["status"] as? String, "error")
        // Replacing the file with a fixed build lifts the quarantine by itself.
        try Harness.fixture("GOOD", name: "crashy", into: plugins, file: "segv_entry.so.new")
        XCTAssertEqual(rename(file + ".new", file), 0)
        XCTAssertEqual(try rows(plugins, state).first?["status"] as? String, "disabled")
        let fixed = try Harness.paddock(["plugin", "enable", "crashy", "--config", config], pluginPath: plugins, stateDir: state)
        XCTAssertEqual(fixed.status, .exited(0), fixed.stderr)
    }

    func testACorruptCacheIsRebuiltNotTrusted() throws {
        let temp = try temporaryDirectory()
        let plugins = try temp.subdirectory("plugins")
        let state = try temp.subdirectory("state")
        try Harness.fixture("GOOD", name: "good", into: plugins)
        _ = try rows(plugins, state)
        for garbage in ["{not json", #"{"version": 1, "entries": {"/x.so": {"identity": 5}}}"#, #"{"version": 99}"#, ""] {
            try Data(garbage.utf8).write(to: URL(fileURLWithPath: "\(state)/scan-cache.json"))
            let list = try rows(plugins, state)
            XCTAssertEqual(list.first?["status"] as? String, "disabled", garbage)
            let rebuilt = try String(contentsOfFile: "\(state)/scan-cache.json", encoding: .utf8)
            XCTAssertTrue(rebuilt.contains("good.so"), "rebuilt after \(garbage): \(rebuilt)")
        }
    }

    func sizeConfig(_ temp: TemporaryDirectory) throws -> String {
        let path = "\(temp.path)/size.json"
        try Data(#"{"size": 1}"#.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
