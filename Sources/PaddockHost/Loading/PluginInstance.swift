import Foundation
import PaddockCore
import PluginABI

/// A created plugin instance and the way to call it. Calls into a plugin that did not declare
/// PADDOCK_PLUGIN_THREAD_SAFE are serialized by this object's lock.
public final class PluginInstance: @unchecked Sendable {
    public let plugin: NegotiatedPlugin
    public let services: HostServices
    private let instance: UnsafeMutableRawPointer?
    private let serializer: NSLock?
    private var destroyed = false
    private let stateLock = NSLock()

    public init(plugin: NegotiatedPlugin, config: JSONValue, services: HostServices) throws(PluginLoadError) {
        self.plugin = plugin
        self.services = services
        serializer = plugin.threadSafe ? nil : NSLock()
        let configBytes = Array(config.serialized().utf8)
        var created: UnsafeMutableRawPointer?
        var error = paddock_buffer()
        let table = plugin.table.pointee
        serializer?.lock()
        let status = configBytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                table.create!(services.cTable, $0.baseAddress, $0.count, &created, &error)
            }
        }
        serializer?.unlock()
        let document = PluginInstance.take(&error, free: table.free_buffer)
        guard status == PADDOCK_OK else {
            let result = CallResult.from(status: status, bytes: document, plugin: plugin.name, operation: "create")
            throw PluginLoadError(.createFailed, "plugin \(plugin.name) refused its config: \(result.errorMessage)")
        }
        instance = created
    }

    deinit { destroy() }

    /// Calls `destroy` once; later calls answer "unavailable". The image stays loaded.
    public func destroy() {
        stateLock.lock()
        defer { stateLock.unlock() }
        guard !destroyed else { return }
        destroyed = true
        serializer?.lock()
        plugin.table.pointee.destroy?(instance)
        serializer?.unlock()
    }

    public func supports(_ kind: PluginKind, _ operation: String) -> Bool {
        plugin.operations[kind]?.contains(operation) ?? false
    }

    /// Calls one operation with a JSON request (raw bytes, so tests can send broken payloads).
    public func call(_ kind: PluginKind, _ operation: String, request: [UInt8]) -> CallResult {
        guard let function = plugin.functions[kind]?[operation] else {
            return .notSupported(plugin: plugin.name, operation: "\(kind.rawValue).\(operation)")
        }
        stateLock.lock()
        let isDestroyed = destroyed
        stateLock.unlock()
        guard !isDestroyed else {
            return CallResult(status: PADDOCK_E_UNAVAILABLE, body: StatusCode.errorDocument(
                PADDOCK_E_UNAVAILABLE, "plugin \(plugin.name) was stopped"))
        }
        var response = paddock_buffer()
        serializer?.lock()
        let status = request.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { function(instance, $0.baseAddress, $0.count, &response) }
        }
        serializer?.unlock()
        let bytes = PluginInstance.take(&response, free: plugin.table.pointee.free_buffer)
        if status == PADDOCK_OK && bytes.isEmpty { return CallResult(status: status, body: .object([:])) }
        return CallResult.from(status: status, bytes: bytes, plugin: plugin.name, operation: "\(kind.rawValue).\(operation)")
    }

    /// Runs `body` with the raw instance pointer under the same serialization as operations (for
    /// extension actions, which take the instance as their first argument). Nil once destroyed.
    public func withRawInstance<T>(_ body: (UnsafeMutableRawPointer?) throws -> T) rethrows -> T? {
        stateLock.lock()
        let isDestroyed = destroyed
        stateLock.unlock()
        guard !isDestroyed else { return nil }
        serializer?.lock()
        defer { serializer?.unlock() }
        return try body(instance)
    }

    public func call(_ kind: PluginKind, _ operation: String, _ request: JSONValue) -> CallResult {
        call(kind, operation, request: Array(request.serialized().utf8))
    }

    /// Copies a plugin buffer out and frees it with the plugin's `free_buffer`.
    static func take(_ buffer: inout paddock_buffer, free: (@convention(c) (UnsafeMutablePointer<CChar>?, Int) -> Void)?) -> [UInt8] {
        guard let data = buffer.data else { return [] }
        let bytes = Array(UnsafeRawBufferPointer(start: data, count: buffer.len))
        free?(data, buffer.len)
        buffer = paddock_buffer()
        return bytes
    }
}
