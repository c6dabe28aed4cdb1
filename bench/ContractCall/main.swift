// Cost of one no-op operation through the contract against a direct Swift call, same process,
// same run, and the same through an out-of-process worker (`isolation: process`).
// Usage: paddock-bench-contract NOOP.so [ITERATIONS [PADDOCK-EXECUTABLE]]
import Foundation
import PaddockCore
import PaddockHost
import PaddockPosix
import PluginABI

/// The baseline: a Swift function with the operation's shape. Not inlined and not optimized, so
/// the call is really made each time (an optimized no-op is hoisted out of the loop entirely).
@inline(never) @_optimize(none)
func swiftNoop(_ instance: UnsafeMutableRawPointer?, _ request: UnsafePointer<CChar>?, _ length: Int,
               _ response: UnsafeMutablePointer<paddock_buffer>?) -> Int32 {
    Int32(truncatingIfNeeded: length & 1)
}

@inline(never)
func measure(_ label: String, _ iterations: Int, _ body: () -> Int32) -> Double {
    var sink: Int32 = 0
    for _ in 0..<min(iterations / 10, 10_000) { sink &+= body() }
    let start = ChildProcess.monotonicSeconds()
    for _ in 0..<iterations { sink &+= body() }
    let nanoseconds = (ChildProcess.monotonicSeconds() - start) * 1e9 / Double(iterations)
    print(label.padding(toLength: 46, withPad: " ", startingAt: 0) + String(format: "%10.2f ns/call", nanoseconds)
          + (sink == Int32.min ? " " : ""))
    return nanoseconds
}

func run() throws {
    let arguments = CommandLine.arguments
    guard arguments.count >= 2 else {
        FileHandle.standardError.write(Data("usage: paddock-bench-contract NOOP.so [ITERATIONS]\n".utf8))
        exit(2)
    }
    let iterations = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
    let plugin = try PluginImageLoader.load(path: arguments[1])
    let state = FileManager.default.temporaryDirectory.appendingPathComponent("paddock-bench-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: state) }
    let services = HostServices(pluginName: plugin.name, stateDirectory: state, logger: Logger(level: .error),
                                isOrchestrator: false, router: nil)
    let instance = try PluginInstance(plugin: plugin, config: .object([:]), services: services)
    let request = Array(#"{"name":"data"}"#.utf8)
    let get = plugin.table.pointee.storage!.pointee.get!

    print("iterations: \(iterations)")
    let direct = request.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { bytes in
            measure("direct Swift call (baseline)", iterations) {
                var response = paddock_buffer()
                return swiftNoop(nil, bytes.baseAddress, bytes.count, &response)
            }
        }
    }
    let pointer = request.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { bytes in
            measure("C function pointer from the table", iterations) {
                var response = paddock_buffer()
                return get(nil, bytes.baseAddress, bytes.count, &response)
            }
        }
    }
    let contract = measure("PluginInstance.call (lookup, checks, result)", iterations) {
        instance.call(.storage, "get", request: request).status
    }
    print(String(format: "ratio C pointer / direct Swift:   %.2fx", pointer / direct))
    print(String(format: "ratio PluginInstance / direct:   %.1fx", contract / direct))
    if arguments.count > 3 {
        let worker = try WorkerPluginInstance(pluginName: plugin.name, path: arguments[1], config: .object([:]),
                                              executable: arguments[3], stateDirectory: state)
        defer { worker.destroy() }
        let isolated = measure("out-of-process worker call (socket round trip)", max(iterations / 100, 1000)) {
            worker.call(.storage, "get", request: request).status
        }
        print(String(format: "ratio out-of-process / in-process: %.1fx", isolated / contract))
    }
}

try run()
