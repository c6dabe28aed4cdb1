// One network ADD+DEL cycle through the in-process contract, per fresh container namespace.
// Run inside the host's network namespace with the driver's enable config and metadata in place:
//   ip netns exec HOST paddock-bench-attach DRIVER.so STATE_DIR CONFIG_JSON NETNS_PATH...
// Prints the median and mean ADD, DEL and cycle times over the namespaces given.
import Foundation
import PaddockCore
import PaddockHost
import PaddockPosix

func milliseconds(_ seconds: Double) -> String { String(format: "%7.3f ms", seconds * 1000) }

func run() throws {
    let arguments = CommandLine.arguments
    guard arguments.count >= 5 else {
        FileHandle.standardError.write(Data("usage: paddock-bench-attach DRIVER.so STATE_DIR CONFIG_JSON NETNS_PATH...\n".utf8))
        exit(2)
    }
    let plugin = try PluginImageLoader.load(path: arguments[1])
    let services = HostServices(pluginName: plugin.name, stateDirectory: arguments[2], logger: Logger(level: .error),
                                isOrchestrator: false, router: nil)
    let config = try JSONValue(parsing: arguments[3])
    let instance = try PluginInstance(plugin: plugin, config: config, services: services)
    var adds: [Double] = [], dels: [Double] = []
    for (index, netns) in arguments.dropFirst(4).enumerated() {
        let request: JSONValue = .object([
            "containerId": .string("bench\(index)"), "netns": .string(netns), "ifName": "eth0",
            "config": .object(["cniVersion": "1.1.0"]),
        ])
        let start = ChildProcess.monotonicSeconds()
        let added = instance.call(.network, "add", request)
        let middle = ChildProcess.monotonicSeconds()
        let deleted = instance.call(.network, "del", request)
        let end = ChildProcess.monotonicSeconds()
        guard added.isSuccess, deleted.isSuccess else {
            FileHandle.standardError.write(Data("cycle \(index) failed: \(added.errorMessage) / \(deleted.errorMessage)\n".utf8))
            exit(1)
        }
        adds.append(middle - start)
        dels.append(end - middle)
    }
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
    let cycles = zip(adds, dels).map { $0 + $1 }
    print("cycles: \(cycles.count) (the first includes bridge and VTEP creation)")
    print("ADD    median \(milliseconds(median(adds)))   mean \(milliseconds(mean(adds)))")
    print("DEL    median \(milliseconds(median(dels)))   mean \(milliseconds(mean(dels)))")
    print("cycle  median \(milliseconds(median(cycles)))   mean \(milliseconds(mean(cycles)))")
    instance.destroy()
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("paddock-bench-attach: \(error)\n".utf8))
    exit(1)
}
