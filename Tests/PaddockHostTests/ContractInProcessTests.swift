import Foundation
import PaddockCore
import PaddockHost
import PaddockPosix
import XCTest

/// The contract as the host calls it in-process: negotiation, NULL/absent members answered as
/// "not supported", empty payloads, serialization of plugins that are not thread-safe, host
/// services reached from C.
final class ContractInProcessTests: XCTestCase {
    func load(_ path: String, state: String, config: JSONValue = .object([:])) throws -> PluginInstance {
        let plugin = try PluginImageLoader.load(path: path)
        let services = HostServices(pluginName: plugin.name, stateDirectory: state, logger: Logger(level: .error),
                                    isOrchestrator: false, router: nil)
        return try PluginInstance(plugin: plugin, config: config, services: services)
    }

    func testCallsIntoAPluginThatIsNotThreadSafeAreSerialized() throws {
        let temp = try temporaryDirectory()
        let path = try Harness.fixture("GOOD", name: "serial", into: temp.path)
        let instance = try load(path, state: try temp.subdirectory("state"))
        XCTAssertFalse(instance.plugin.threadSafe)
        DispatchQueue.concurrentPerform(iterations: 64) { _ in
            _ = instance.call(.storage, "get", request: [])
        }
        let most = instance.call(.storage, "path", .object([:]))
        XCTAssertTrue(most.isSuccess)
        XCTAssertEqual(most.body["most_inside"]?.intValue, 1, "never two threads inside at once")
    }

    func testMissingOperationsAndKindsAreNotSupportedWithoutCallingThePlugin() throws {
        let temp = try temporaryDirectory()
        let path = try Harness.fixture("GOOD", name: "sparse", into: temp.path)
        let instance = try load(path, state: try temp.subdirectory("state"))
        for (kind, op) in [(PluginKind.storage, "create"), (.storage, "capabilities"), (.network, "add"), (.lb, "apply")] {
            let result = instance.call(kind, op, .object([:]))
            XCTAssertEqual(result.status, 100, "\(kind).\(op)")
            XCTAssertEqual(result.body["code"]?.intValue, 100)
            XCTAssertNotNil(result.body["msg"]?.stringValue)
        }
        // Empty and NULL payloads reach the plugin as len 0 and do not crash it.
        XCTAssertTrue(instance.call(.storage, "list", request: []).isSuccess)
        XCTAssertEqual(instance.call(.storage, "list", request: []).body["volumes"], .array([]))
    }

    func testDestroyedInstancesAreNeverCalledAgain() throws {
        let temp = try temporaryDirectory()
        let path = try Harness.fixture("GOOD", name: "stopped", into: temp.path)
        let instance = try load(path, state: try temp.subdirectory("state"))
        instance.destroy()
        instance.destroy()
        XCTAssertEqual(instance.call(.storage, "list", .object([:])).status, 50)
    }

    func testHostServicesReachTheCExampleAndPersist() throws {
        let temp = try temporaryDirectory()
        let example = "\(Harness.packageRoot)/examples/c-plugin"
        let path = try Harness.compile(["\(example)/dirvol.c", "\(example)/json_min.c"], output: "\(temp.path)/dirvol.so")
        let state = try temp.subdirectory("state")
        let instance = try load(path, state: state)
        // No "base" in the config: the driver uses the plugin state dir the host handed it.
        XCTAssertTrue(instance.call(.storage, "create", .object(["name": "v1"])).isSuccess)
        XCTAssertTrue(FileSystem.exists("\(state)/plugins/dirvol/volumes/v1"))
        XCTAssertTrue(instance.call(.storage, "mount", .object(["name": "v1", "id": "m1"])).isSuccess)
        let store = KeyValueStore(directory: "\(state)/kv", plugin: "dirvol")
        XCTAssertEqual(String(decoding: try store.get("mounts/v1"), as: UTF8.self), #"["m1"]"#)
        let refused = instance.call(.storage, "create", request: Array("{\"name\":\"../x\"}".utf8))
        XCTAssertEqual(refused.status, 7)
        XCTAssertTrue(refused.errorMessage.contains("invalid volume name"), refused.errorMessage)
    }

    func testAConfigTheDriverRejectsFailsCreateWithItsMessage() throws {
        let temp = try temporaryDirectory()
        let example = "\(Harness.packageRoot)/examples/c-plugin"
        let path = try Harness.compile(["\(example)/dirvol.c", "\(example)/json_min.c"], output: "\(temp.path)/dirvol.so")
        // A base the driver cannot create (a file is in the way).
        _ = FileManager.default.createFile(atPath: "\(temp.path)/blocker", contents: Data())
        XCTAssertThrowsError(try load(path, state: try temp.subdirectory("state"), config: .object(["base": .string("\(temp.path)/blocker/sub")]))) { error in
            XCTAssertTrue("\(error)".contains("cannot create the base directory"), "\(error)")
        }
    }
}
