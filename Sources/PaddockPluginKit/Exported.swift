import Glibc
import PluginABI

/// The C side of a Swift plugin: one static plugin table and thunks that find the Swift driver
/// from the instance pointer. Each plugin links its own copy of this SDK, so these globals are
/// per plugin image.
enum Exported {
    nonisolated(unsafe) static var definition: PluginDefinition?
    nonisolated(unsafe) static var plugin: UnsafeMutablePointer<paddock_plugin>?
    static let lock = NSLockLite()

    static func table(for definition: PluginDefinition) -> UnsafePointer<paddock_plugin> {
        lock.withLock {
            if let plugin { return UnsafePointer(plugin) }
            self.definition = definition
            let table = UnsafeMutablePointer<paddock_plugin>.allocate(capacity: 1)
            table.initialize(to: paddock_plugin())
            table.pointee.struct_size = UInt32(MemoryLayout<paddock_plugin>.size)
            table.pointee.version = PADDOCK_PLUGIN_VERSION
            table.pointee.name = UnsafePointer(strdup(definition.name))
            table.pointee.plugin_version = UnsafePointer(strdup(definition.version))
            table.pointee.kinds = definition.kinds.reduce(0) { $0 | $1.bit }
            table.pointee.flags = definition.threadSafe ? UInt32(PADDOCK_PLUGIN_THREAD_SAFE) : 0
            table.pointee.create = createThunk
            table.pointee.destroy = destroyThunk
            table.pointee.free_buffer = { data, _ in free(data) }
            table.pointee.notify = { instance, request, length, response in
                Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in try driver.notify(value) }
            }
            if definition.kinds.contains(.network) { table.pointee.network = Tables.network }
            if definition.kinds.contains(.lb) { table.pointee.lb = Tables.lb }
            if definition.kinds.contains(.storage) { table.pointee.storage = Tables.storage }
            if definition.kinds.contains(.orchestrator) { table.pointee.orchestrator = Tables.orchestrator }
            plugin = table
            return UnsafePointer(table)
        }
    }

    static let createThunk: @convention(c) (UnsafePointer<paddock_host>?, UnsafePointer<CChar>?, Int,
                                            UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                            UnsafeMutablePointer<paddock_buffer>?) -> paddock_status = {
        host, config, length, instanceOut, errorOut in
        guard let definition = Exported.definition, let host, let instanceOut else { return PADDOCK_E_INVALID_ENV }
        do throws(DriverError) {
            let value = try decode(config, length)
            let driver = try definition.driver.init(host: HostClient(host), config: value)
            instanceOut.pointee = Unmanaged.passRetained(DriverBox(driver)).toOpaque()
            return PADDOCK_OK
        } catch {
            errorOut?.pointee = allocate(error.document.serialized())
            return error.code
        }
    }

    static let destroyThunk: @convention(c) (UnsafeMutableRawPointer?) -> Void = { instance in
        guard let instance else { return }
        let box = Unmanaged<DriverBox>.fromOpaque(instance).takeRetainedValue()
        box.driver.stop()
    }

    /// Decodes the request, runs the body, encodes the result or the error document.
    static func dispatch(_ instance: UnsafeMutableRawPointer?, _ request: UnsafePointer<CChar>?, _ length: Int,
                         _ response: UnsafeMutablePointer<paddock_buffer>?,
                         _ body: (any Driver, JSONValue) throws(DriverError) -> JSONValue) -> paddock_status {
        guard let instance else { return PADDOCK_E_INVALID_ENV }
        let box = Unmanaged<DriverBox>.fromOpaque(instance).takeUnretainedValue()
        do throws(DriverError) {
            let result = try body(box.driver, try decode(request, length))
            response?.pointee = allocate(result.serialized())
            return PADDOCK_OK
        } catch {
            response?.pointee = allocate(error.document.serialized())
            return error.code
        }
    }

    static func decode(_ pointer: UnsafePointer<CChar>?, _ length: Int) throws(DriverError) -> JSONValue {
        guard let pointer, length > 0 else { return .object([:]) }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            throw .decode("the request is not valid JSON", details: "\(error)")
        }
    }

    static func allocate(_ text: String) -> paddock_buffer {
        var bytes = Array(text.utf8)
        let memory = malloc(max(bytes.count, 1))!.assumingMemoryBound(to: CChar.self)
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { memcpy(memory, base, raw.count) }
        }
        return paddock_buffer(data: memory, len: bytes.count)
    }

    static func writeReason(_ negotiation: UnsafeMutablePointer<paddock_negotiation>, _ text: String) {
        withUnsafeMutableBytes(of: &negotiation.pointee.reason) { raw in
            let bytes = Array(text.utf8.prefix(raw.count - 1))
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
            raw[bytes.count] = 0
        }
    }
}

final class DriverBox {
    let driver: any Driver
    init(_ driver: any Driver) { self.driver = driver }
}

/// A tiny pthread mutex (the SDK avoids Foundation so plugins stay small).
final class NSLockLite: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
