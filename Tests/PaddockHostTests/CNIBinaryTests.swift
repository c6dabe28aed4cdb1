import Foundation
import PaddockCore
import PaddockPosix
import XCTest

/// The installed `paddock` CNI binary driving the real host-local driver through the host's
/// loader, exec'd the way a CNI runtime does, inside namespaces the tests create.
final class CNIBinaryTests: XCTestCase {
    func testVersionListsTheSpecVersionsWithoutAnyConfig() throws {
        let bed = try CNITestbed(test: self)
        let run = try bed.exec("VERSION", ifname: nil, config: "")
        XCTAssertEqual(run.status, .exited(0), run.stdout + run.stderr)
        XCTAssertEqual(run.json?["supportedVersions"] as? [String], ["1.0.0", "1.1.0"])
        XCTAssertEqual(run.json?["cniVersion"] as? String, "1.1.0")
    }

    func testInstallWritesTheBinaryAndTheHostPaths() throws {
        let bed = try CNITestbed(test: self)
        var status = stat()
        XCTAssertEqual(stat(bed.binary, &status), 0)
        XCTAssertEqual(status.st_mode & 0o777, 0o755)
        let paths = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(bed.cniDirectory)/paddock.paths"))) as? [String: Any]
        XCTAssertEqual(paths?["stateDir"] as? String, bed.state)
        XCTAssertEqual((paths?["pluginPath"] as? [String])?.first, bed.plugins)
        // The installed binary is a static C program: a runtime's exec of it loads no shared
        // library at all, the Swift runtime least of all (docs/benchmarks.md §5).
        let bytes = try FileSystem.read(bed.binary)
        XCTAssertNil(bytes.firstRange(of: Array("libswiftCore".utf8)), "the CNI binary must not need the Swift runtime")
        let elf = try ELFFile(bytes: bytes)
        XCTAssertFalse(elf.sections.isEmpty)
        XCTAssertFalse(elf.sections.contains { $0.name == ".interp" }, "the CNI binary must have no interpreter (static link)")
    }

    func testAddCheckDelFollowTheSpec() throws {
        let bed = try CNITestbed(test: self)
        let netns = try bed.makeNamespace()
        let entry = CNITestbed.entry()
        let add = try bed.exec("ADD", container: "c1", netns: netns, config: entry)
        XCTAssertEqual(add.status, .exited(0), add.stdout + add.stderr)
        XCTAssertEqual(add.json?["cniVersion"] as? String, "1.0.0")
        let ips = try XCTUnwrap(add.json?["ips"] as? [[String: Any]], add.stdout)
        XCTAssertEqual(ips.first?["address"] as? String, "198.18.40.2/24")
        XCTAssertEqual(ips.first?["gateway"] as? String, "198.18.40.1")
        XCTAssertEqual(try bed.leases(), [["address": "198.18.40.2", "owner": "c1/eth0"]])

        // CHECK with the ADD's result as prevResult succeeds and prints nothing.
        let withPrevious = CNITestbed.entry(extra: #","prevResult":\#(add.stdout.trimmingCharacters(in: .whitespacesAndNewlines))"#)
        let check = try bed.exec("CHECK", container: "c1", netns: netns, config: withPrevious)
        XCTAssertEqual(check.status, .exited(0), check.stdout + check.stderr)
        XCTAssertEqual(check.stdout, "")

        let del = try bed.exec("DEL", container: "c1", netns: netns, config: withPrevious)
        XCTAssertEqual(del.status, .exited(0), del.stdout + del.stderr)
        XCTAssertEqual(del.stdout, "")
        XCTAssertEqual(try bed.leases(), [])

        // Repeated DEL, also without netns or prevResult, succeeds; CHECK of the gone lease is code 3.
        for _ in 0..<2 {
            let again = try bed.exec("DEL", container: "c1", netns: nil, config: entry)
            XCTAssertEqual(again.status, .exited(0), again.stdout + again.stderr)
        }
        let gone = try bed.exec("CHECK", container: "c1", netns: netns, config: withPrevious)
        XCTAssertEqual(gone.status, .exited(1))
        XCTAssertEqual(gone.code, 3, gone.stdout)
    }

    func testDelSucceedsAfterTheNetnsWasDeleted() throws {
        let bed = try CNITestbed(test: self)
        let netns = try bed.makeNamespace()
        let add = try bed.exec("ADD", container: "gone", netns: netns, config: CNITestbed.entry())
        XCTAssertEqual(add.status, .exited(0), add.stdout + add.stderr)
        try bed.deleteNamespace(netns)
        XCTAssertFalse(FileSystem.exists(netns))
        let del = try bed.exec("DEL", container: "gone", netns: netns, config: CNITestbed.entry())
        XCTAssertEqual(del.status, .exited(0), del.stdout + del.stderr)
        XCTAssertEqual(try bed.leases(), [], "the lease is released although the namespace is gone")
    }

    func testFiftyParallelAddsThenDelsGiveUniqueAddressesAndLeaveNothing() throws {
        let bed = try CNITestbed(test: self)
        let count = 50
        var namespaces: [String] = []
        for _ in 0..<count { namespaces.append(try bed.makeNamespace()) }
        let entryFile = "\(bed.temp.path)/entry.json"
        try Data(CNITestbed.entry().utf8).write(to: URL(fileURLWithPath: entryFile))
        let outputs = try bed.temp.subdirectory("out")
        // One shell starts all invocations at once, as a runtime starting 50 containers would.
        let parallel = ParallelCNI(binary: bed.binary, cniPath: bed.cniDirectory, outputs: outputs)
        let invocations = namespaces.enumerated().map { ParallelCNI.Invocation(containerID: "p\($0)", netns: $1, configFile: entryFile) }
        let addresses = ParallelCNI.addresses(try parallel.run("ADD", invocations))
        XCTAssertEqual(addresses.count, count)
        XCTAssertEqual(Set(addresses).count, count, "duplicate addresses: \(addresses.sorted())")
        XCTAssertEqual(try bed.leases().count, count)

        try parallel.run("DEL", invocations)
        XCTAssertEqual(try bed.leases(), [], "no lease leaked")
        // The driver creates no links; every namespace still holds only its loopback device.
        for netns in namespaces.prefix(5) {
            let name = String(netns.split(separator: "/").last!)
            let links = try ChildProcess.run("/usr/sbin/ip", arguments: ["-n", name, "-o", "link"], timeoutSeconds: 30)
            XCTAssertEqual(String(decoding: links.stdout, as: UTF8.self).split(separator: "\n").count, 1)
        }
    }

    func testStatusAndGarbageCollection() throws {
        let bed = try CNITestbed(test: self)
        let netns = try bed.makeNamespace()
        let v11 = CNITestbed.entry(version: "1.1.0")
        for container in ["keep", "stale1", "stale2"] {
            XCTAssertEqual(try bed.exec("ADD", container: container, netns: netns, ifname: "net-\(container)", config: v11).status, .exited(0))
        }
        let status = try bed.exec("STATUS", ifname: nil, config: v11)
        XCTAssertEqual(status.status, .exited(0), status.stdout + status.stderr)
        let statusOld = try bed.exec("STATUS", ifname: nil, config: CNITestbed.entry(version: "1.0.0"))
        XCTAssertEqual(statusOld.code, 1, "STATUS needs a 1.1.0 config: \(statusOld.stdout)")

        let gc = try bed.exec("GC", ifname: nil, config: CNITestbed.entry(
            version: "1.1.0", extra: #","cni.dev/valid-attachments":[{"containerID":"keep","ifname":"net-keep"}]"#))
        XCTAssertEqual(gc.status, .exited(0), gc.stdout + gc.stderr)
        XCTAssertEqual(try bed.leases().map { $0["owner"] }, ["keep/net-keep"])
    }

    func testBadInputGivesCNIErrors() throws {
        let bed = try CNITestbed(test: self)
        let netns = try bed.makeNamespace()
        let entry = CNITestbed.entry()
        let cases: [(String, String?, String?, String, Int)] = [
            ("malformed JSON", "c1", "eth0", #"{"cniVersion":"1.0.0","name":"#, 6),
            ("not an object", "c1", "eth0", "[]", 6),
            ("unknown driver", "c1", "eth0", CNITestbed.entry(driver: "no-such-driver"), 7),
            ("driver config the driver refuses", "c1", "eth0", CNITestbed.entry(subnet: "not-a-subnet"), 7),
            ("old cniVersion", "c1", "eth0", CNITestbed.entry(version: "0.4.0"), 1),
            ("container ID with /", "../c1", "eth0", entry, 4),
            ("container ID with ..", "a..b", "eth0", entry, 4),
            ("over-long container ID", String(repeating: "a", count: 300), "eth0", entry, 4),
            ("ifname with /", "c1", "a/b", entry, 4),
            ("over-long ifname", "c1", "eth0123456789abc", entry, 4),
            ("ifname ..", "c1", "..", entry, 4),
            ("IFNAME that already exists", "c1", "lo", entry, 102),
        ]
        for (label, container, ifname, config, code) in cases {
            let run = try bed.exec("ADD", container: container, netns: netns, ifname: ifname, config: config)
            XCTAssertEqual(run.status, .exited(1), "\(label): \(run.stdout) \(run.stderr)")
            XCTAssertEqual(run.code, code, "\(label): \(run.stdout)")
            XCTAssertFalse((run.json?["msg"] as? String ?? "").isEmpty, label)
        }
        let unknown = try bed.exec("ADD", container: "c1", netns: netns, config: CNITestbed.entry(driver: "no-such-driver"))
        XCTAssertTrue((unknown.json?["msg"] as? String ?? "").contains("no-such-driver"), unknown.stdout)
        // An enabled driver of another kind (the storage fixture): refused by name, code 7.
        try Harness.fixture("GOOD", name: "good", into: bed.plugins)
        let goodConfig = "\(bed.temp.path)/good.json"
        try Data(#"{"size": 3}"#.utf8).write(to: URL(fileURLWithPath: goodConfig))
        let enabled = try Harness.paddock(["plugin", "enable", "good", "--config", goodConfig], pluginPath: bed.plugins, stateDir: bed.state)
        XCTAssertEqual(enabled.status, .exited(0), enabled.stderr)
        let wrongKind = try bed.exec("ADD", container: "c1", netns: netns, config: CNITestbed.entry(driver: "good"))
        XCTAssertEqual(wrongKind.code, 7, wrongKind.stdout)
        XCTAssertTrue((wrongKind.json?["msg"] as? String ?? "").contains("good is not a network driver"), wrongKind.stdout)
        let missingNetns = try bed.exec("ADD", container: "c1", netns: "/run/netns/\(bed.prefix)-absent", config: entry)
        XCTAssertEqual(missingNetns.code, 3, missingNetns.stdout)
        XCTAssertEqual(try bed.leases(), [], "failed ADDs leased nothing")
    }

    func testInvocationsGoThroughPaddockCNIServeWhenItRuns() throws {
        let bed = try CNITestbed(test: self)
        XCTAssertTrue(FileSystem.exists("\(bed.cniDirectory)/paddock-cni"), "install put the shim in front of paddock-cni")
        let netns = try bed.makeNamespace()
        let log = "\(bed.temp.path)/serve.log"
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Harness.paddock)
        server.arguments = ["cni", "serve", "--state-dir", bed.state, "--plugin-path", bed.plugins]
        FileManager.default.createFile(atPath: log, contents: nil)
        server.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try server.run()
        addTeardownBlock { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        for _ in 0..<500 where !FileSystem.exists("\(bed.state)/cni.sock") { usleep(10_000) }

        let add = try bed.exec("ADD", container: "served", netns: netns, config: CNITestbed.entry())
        XCTAssertEqual(add.status, .exited(0), add.stdout + add.stderr)
        XCTAssertEqual((add.json?["ips"] as? [[String: Any]])?.first?["address"] as? String, "198.18.40.2/24")
        let exists = try bed.exec("ADD", container: "served2", netns: netns, ifname: "lo", config: CNITestbed.entry())
        XCTAssertEqual(exists.code, 102, exists.stdout)
        let bad = try bed.exec("ADD", container: "a/b", netns: netns, config: CNITestbed.entry())
        XCTAssertEqual(bad.code, 4, bad.stdout)
        let del = try bed.exec("DEL", container: "served", netns: netns, config: CNITestbed.entry())
        XCTAssertEqual(del.status, .exited(0), del.stdout + del.stderr)
        XCTAssertEqual(try bed.leases(), [])
        let lines = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertTrue(lines.contains("ADD served eth0 exit 0"), lines)
        XCTAssertTrue(lines.contains("ADD served2 lo exit 1"), lines)
        XCTAssertTrue(lines.contains("DEL served eth0 exit 0"), lines)

        // A server that went away leaves a dead socket: the binary does the work itself again.
        server.terminate()
        server.waitUntilExit()
        let again = try bed.exec("ADD", container: "alone", netns: netns, config: CNITestbed.entry())
        XCTAssertEqual(again.status, .exited(0), again.stdout + again.stderr)
        XCTAssertFalse(try String(contentsOfFile: log, encoding: .utf8).contains("alone"))
    }
}
