import Foundation
import PaddockPosix
import XCTest

/// `paddock plugin new`: what it generates builds as generated — C with make and pkg-config against
/// the installed SDK, Swift with SwiftPM against this tree — and passes `paddock plugin test`.
final class ScaffoldTests: XCTestCase {
    /// Installs the SDK into a temp prefix; the environment that makes pkg-config find it.
    func installSDK(_ temp: TemporaryDirectory) throws -> [String: String] {
        let prefix = try temp.subdirectory("prefix")
        let install = try ChildProcess.run("/bin/sh", arguments: ["\(Harness.packageRoot)/scripts/install-sdk", prefix], timeoutSeconds: 60)
        XCTAssertEqual(install.termination, .exited(0), String(decoding: install.stderr, as: UTF8.self))
        var environment = ChildProcess.currentEnvironment()
        environment["PKG_CONFIG_PATH"] = "\(prefix)/lib/pkgconfig"
        let probe = try ChildProcess.run("/usr/bin/pkg-config", arguments: ["--exists", "paddock"], environment: environment, timeoutSeconds: 30)
        guard probe.termination == .exited(0) else {
            throw XCTSkip("pkg-config is not installed (Debian pkgconf); scripts/setup installs it")
        }
        return environment
    }

    func new(_ arguments: [String], stateDir: String) throws -> Harness.Run {
        try Harness.paddock(["plugin", "new"] + arguments, pluginPath: nil, stateDir: stateDir)
    }

    func testEveryKindScaffoldedInCBuildsWithMakeAgainstTheInstalledSDKAndPassesTheKit() throws {
        let temp = try temporaryDirectory()
        let environment = try installSDK(temp)
        let state = try temp.subdirectory("state")
        for kind in ["network", "lb", "storage", "orchestrator"] {
            let directory = "\(temp.path)/my-\(kind)"
            let created = try new(["my-\(kind)", "--kind", kind, "--lang", "c", "--dir", directory], stateDir: state)
            XCTAssertEqual(created.status, .exited(0), created.stderr)
            for file in ["my-\(kind).c", "minijson.c", "minijson.h", "Makefile", "README.md"] {
                XCTAssertTrue(FileSystem.exists("\(directory)/\(file)"), "\(kind): \(file)")
            }
            let makefile = try String(contentsOfFile: "\(directory)/Makefile", encoding: .utf8)
            XCTAssertTrue(makefile.contains("pkg-config --cflags paddock"))
            let make = try ChildProcess.run("/usr/bin/make", arguments: ["-C", directory], environment: environment, timeoutSeconds: 120)
            XCTAssertEqual(make.termination, .exited(0), "\(kind): \(String(decoding: make.stderr, as: UTF8.self))")
            let test = try Harness.paddock(["plugin", "test", "\(directory)/my-\(kind).so"], pluginPath: nil, stateDir: state, timeout: 300)
            XCTAssertEqual(test.status, .exited(0), "\(kind): \(test.stdout)")
            XCTAssertTrue(test.stdout.hasSuffix(" passed, 0 failed\n"), "\(kind): \(test.stdout)")
        }
    }

    func testTheCMakefileSaysHowToGetTheSDKWhenPkgConfigCannotFindIt() throws {
        let temp = try temporaryDirectory()
        let directory = "\(temp.path)/lonely"
        XCTAssertEqual(try new(["lonely", "--kind", "lb", "--lang", "c", "--dir", directory], stateDir: try temp.subdirectory("state")).status, .exited(0))
        var environment = ChildProcess.currentEnvironment()
        environment["PKG_CONFIG_PATH"] = "\(temp.path)/nowhere"
        environment["PKG_CONFIG_LIBDIR"] = "\(temp.path)/nowhere"
        let make = try ChildProcess.run("/usr/bin/make", arguments: ["-C", directory], environment: environment, timeoutSeconds: 60)
        XCTAssertNotEqual(make.termination, .exited(0))
        XCTAssertTrue(String(decoding: make.stderr, as: UTF8.self).contains("scripts/install-sdk PREFIX"),
                      String(decoding: make.stderr, as: UTF8.self))
    }

    func testTheSwiftScaffoldBuildsWithSwiftPMAgainstThisTreeAndPassesTheKit() throws {
        guard let swift = Self.findExecutable("swift") else { throw XCTSkip("swift is not on PATH") }
        let temp = try temporaryDirectory()
        let state = try temp.subdirectory("state")
        let directory = "\(temp.path)/swift-vol"
        let created = try new(["swift-vol", "--kind", "storage", "--lang", "swift", "--dir", directory], stateDir: state)
        XCTAssertEqual(created.status, .exited(0), created.stderr)
        let package = try String(contentsOfFile: "\(directory)/Package.swift", encoding: .utf8)
        XCTAssertTrue(package.contains(#".package(path: "\#(Harness.packageRoot)")"#), "defaults to the tree paddock was built from: \(package)")
        XCTAssertTrue(FileSystem.exists("\(directory)/Sources/SwiftVolManifest/manifest.c"))

        // SwiftPM resolves this tree's dependencies from its cache; the build itself takes a minute or more.
        let build = try ChildProcess.run(swift, arguments: ["build", "--package-path", directory, "--scratch-path", "\(directory)/.build"],
                                         timeoutSeconds: 900)
        XCTAssertEqual(build.termination, .exited(0),
                       String(decoding: build.stdout.suffix(3000) + build.stderr.suffix(3000), as: UTF8.self))
        let plugin = "\(directory)/.build/debug/libSwiftVol.so"
        let test = try Harness.paddock(["plugin", "test", plugin], pluginPath: nil, stateDir: state, timeout: 300)
        XCTAssertEqual(test.status, .exited(0), test.stdout + test.stderr)
        XCTAssertTrue(test.stdout.contains("ok  storage.unmount.idempotent"), test.stdout)
        XCTAssertTrue(test.stdout.hasSuffix(" passed, 0 failed\n"), test.stdout)
    }

    func testTheSwiftScaffoldDependsOnThePaddockSourceItIsGiven() throws {
        let temp = try temporaryDirectory()
        let state = try temp.subdirectory("state")
        let tree = try temp.subdirectory("PaddockCheckout")
        try FileSystem.makeDirectories("\(tree)/Sources/PaddockPluginKit")
        try Data("// swift-tools-version: 6.0\n".utf8).write(to: URL(fileURLWithPath: "\(tree)/Package.swift"))
        let directory = "\(temp.path)/edge"
        let created = try new(["edge", "--kind", "lb", "--lang", "swift", "--dir", directory, "--paddock-source", tree], stateDir: state)
        XCTAssertEqual(created.status, .exited(0), created.stderr)
        let package = try String(contentsOfFile: "\(directory)/Package.swift", encoding: .utf8)
        XCTAssertTrue(package.contains(#".package(path: "\#(tree)")"#), package)
        XCTAssertTrue(package.contains(#"package: "paddockcheckout""#), "SwiftPM's identity of the path: \(package)")

        let notATree = try new(["edge2", "--kind", "lb", "--lang", "swift", "--dir", "\(temp.path)/edge2", "--paddock-source", state], stateDir: state)
        XCTAssertEqual(notATree.status, .exited(1))
        XCTAssertTrue(notATree.stderr.contains("is not a Paddock source tree"), notATree.stderr)
        XCTAssertFalse(FileSystem.exists("\(temp.path)/edge2"), "nothing was created")

        let help = try Harness.paddock(["plugin", "new", "--help"], pluginPath: nil, stateDir: state)
        XCTAssertTrue(help.stdout.contains(Harness.packageRoot), "the help names the default source tree: \(help.stdout)")
    }

    func testNewRefusesAnInvalidNameAndNeverOverwritesADirectory() throws {
        let temp = try temporaryDirectory()
        let state = try temp.subdirectory("state")
        let badName = try new(["Bad_Name", "--kind", "network", "--lang", "c", "--dir", "\(temp.path)/bad"], stateDir: state)
        XCTAssertEqual(badName.status, .exited(1))
        XCTAssertTrue(badName.stderr.contains("cannot be a plugin name"), badName.stderr)
        XCTAssertFalse(FileSystem.exists("\(temp.path)/bad"))

        let existing = try temp.subdirectory("taken")
        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: "\(existing)/notes.txt"))
        let taken = try new(["taken", "--kind", "storage", "--lang", "c", "--dir", existing], stateDir: state)
        XCTAssertEqual(taken.status, .exited(1))
        XCTAssertTrue(taken.stderr.contains("exists already"), taken.stderr)
        XCTAssertEqual(try FileSystem.list(existing), ["notes.txt"], "the directory is untouched")

        let badKind = try new(["ok", "--kind", "dns", "--lang", "c", "--dir", "\(temp.path)/ok"], stateDir: state)
        XCTAssertNotEqual(badKind.status, .exited(0))
        XCTAssertTrue(badKind.stderr.contains("--kind must be one of network, lb, storage, orchestrator"), badKind.stderr)
    }

    static func findExecutable(_ name: String) -> String? {
        let path = ChildProcess.currentEnvironment()["PATH"] ?? ""
        return (path.split(separator: ":").map { "\($0)/\(name)" } + ["/opt/swift/usr/bin/\(name)"]).first { access($0, X_OK) == 0 }
    }
}
