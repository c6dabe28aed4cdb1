import Glibc
import PluginABI

/// The host's services as Swift calls. Valid from `init` of the driver until `stop` returns;
/// thread-safe. Every function checks that the host's table has the member before calling it.
public struct HostClient: @unchecked Sendable {
    let table: UnsafePointer<paddock_host>

    init(_ table: UnsafePointer<paddock_host>) { self.table = table }

    public var pluginName: String { table.pointee.plugin_name.map { String(cString: $0) } ?? "" }
    public var stateDirectory: String { table.pointee.plugin_state_dir.map { String(cString: $0) } ?? "" }

    public enum Level: UInt32 { case error = 0, warning, info, debug, trace }

    public func log(_ level: Level, _ message: String) {
        guard let log = table.pointee.log else { return }
        var text = message
        text.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                log(table.pointee.ctx, paddock_log_level(rawValue: level.rawValue), $0.baseAddress, $0.count)
            }
        }
    }

    /// The value of `key`, or nil when absent.
    public func get(_ key: String) throws(DriverError) -> [UInt8]? {
        guard let function = table.pointee.kv_get else { throw .notSupported("host kv_get") }
        var out = paddock_buffer()
        let status = Self.with(key) { k, kl in function(table.pointee.ctx, k, kl, &out) }
        let bytes = take(&out)
        if status == PADDOCK_E_NOT_FOUND { return nil }
        try check(status, bytes, "kv_get \(key)")
        return bytes
    }

    public func put(_ key: String, _ value: [UInt8]) throws(DriverError) {
        guard let function = table.pointee.kv_put else { throw .notSupported("host kv_put") }
        let status = Self.with(key) { k, kl in
            value.withUnsafeBufferPointer { v in
                v.withMemoryRebound(to: CChar.self) { function(table.pointee.ctx, k, kl, $0.baseAddress, $0.count) }
            }
        }
        try check(status, [], "kv_put \(key)")
    }

    /// Sets `key` only if it holds `expected` (nil: only if absent). Returns false on conflict.
    public func compareAndSwap(_ key: String, expected: [UInt8]?, value: [UInt8]) throws(DriverError) -> Bool {
        guard let function = table.pointee.kv_compare_and_swap else { throw .notSupported("host kv_compare_and_swap") }
        let status = Self.with(key) { k, kl in
            value.withUnsafeBufferPointer { v in
                v.withMemoryRebound(to: CChar.self) { vp in
                    if let expected {
                        return expected.withUnsafeBufferPointer { e in
                            e.withMemoryRebound(to: CChar.self) { ep in
                                // A non-NULL pointer even for an empty expected value.
                                function(table.pointee.ctx, k, kl, ep.baseAddress ?? UnsafePointer(bitPattern: 1), ep.count, vp.baseAddress, vp.count)
                            }
                        }
                    }
                    return function(table.pointee.ctx, k, kl, nil, 0, vp.baseAddress, vp.count)
                }
            }
        }
        if status == PADDOCK_E_CONFLICT { return false }
        try check(status, [], "kv_compare_and_swap \(key)")
        return true
    }

    public func delete(_ key: String) throws(DriverError) {
        guard let function = table.pointee.kv_delete else { throw .notSupported("host kv_delete") }
        let status = Self.with(key) { k, kl in function(table.pointee.ctx, k, kl) }
        try check(status, [], "kv_delete \(key)")
    }

    public func keys(prefix: String = "") throws(DriverError) -> [String] {
        guard let function = table.pointee.kv_list else { throw .notSupported("host kv_list") }
        var out = paddock_buffer()
        let status = Self.with(prefix) { p, pl in function(table.pointee.ctx, p, pl, &out) }
        let bytes = take(&out)
        try check(status, bytes, "kv_list")
        let value = try json(bytes)
        return (value.arrayValue ?? []).compactMap(\.stringValue)
    }

    public func metadata(_ query: JSONValue) throws(DriverError) -> JSONValue {
        try jsonCall(table.pointee.metadata_query, query, "metadata_query")
    }

    public func emit(_ event: JSONValue) throws(DriverError) {
        guard let function = table.pointee.emit_event else { throw .notSupported("host emit_event") }
        let status = Self.with(event.serialized()) { e, el in function(table.pointee.ctx, e, el) }
        try check(status, [], "emit_event")
    }

    /// Orchestrators: call another driver of the environment through the host.
    public func callDriver(_ request: JSONValue) throws(DriverError) -> JSONValue {
        try jsonCall(table.pointee.call_driver, request, "call_driver")
    }

    private typealias JSONFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int, UnsafeMutablePointer<paddock_buffer>?) -> paddock_status

    private func jsonCall(_ function: JSONFunction?, _ request: JSONValue, _ name: String) throws(DriverError) -> JSONValue {
        guard let function else { throw .notSupported("host \(name)") }
        var out = paddock_buffer()
        let status = Self.with(request.serialized()) { r, rl in function(table.pointee.ctx, r, rl, &out) }
        let bytes = take(&out)
        try check(status, bytes, name)
        return try json(bytes)
    }

    private func take(_ buffer: inout paddock_buffer) -> [UInt8] {
        guard let data = buffer.data else { return [] }
        let bytes = Array(UnsafeRawBufferPointer(start: data, count: buffer.len))
        table.pointee.free_buffer?(table.pointee.ctx, data, buffer.len)
        buffer = paddock_buffer()
        return bytes
    }

    private func check(_ status: paddock_status, _ bytes: [UInt8], _ what: String) throws(DriverError) {
        guard status != PADDOCK_OK else { return }
        let document = try? JSONValue(parsing: bytes)
        throw DriverError(code: status, "host \(what) failed: \(document?["msg"]?.stringValue ?? "status \(status)")",
                          details: document?["details"]?.stringValue ?? "")
    }

    private func json(_ bytes: [UInt8]) throws(DriverError) -> JSONValue {
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            throw .internalError("the host returned invalid JSON: \(error)")
        }
    }

    private static func with<T>(_ text: String, _ body: (UnsafePointer<CChar>?, Int) -> T) -> T {
        var copy = text
        return copy.withUTF8 { buffer in buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress, $0.count) } }
    }
}
