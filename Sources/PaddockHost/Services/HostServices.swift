import Foundation
import PaddockCore
import PaddockPosix
import PluginABI

/// Routes an orchestrator's `call_driver` request to another driver of the environment.
public typealias DriverRouter = @Sendable (_ request: JSONValue) -> CallResult

/// The host side of one plugin instance's `paddock_host` table. The C table's `ctx` is an
/// unretained pointer to this object, which outlives the instance (the runtime keeps it).
public final class HostServices: @unchecked Sendable {
    public let pluginName: String
    public let pluginStateDirectory: String
    public let store: KeyValueStore
    public let metadata: MetadataSource
    public let events: EventLog
    public let logger: Logger
    let isOrchestrator: Bool
    let router: DriverRouter?
    /// Stable C storage for the table and its strings, freed in deinit.
    let table: UnsafeMutablePointer<paddock_host>
    private let namePointer: UnsafeMutablePointer<CChar>
    private let stateDirPointer: UnsafeMutablePointer<CChar>

    public init(pluginName: String, stateDirectory: String, logger: Logger, isOrchestrator: Bool,
                router: DriverRouter?, metadata: MetadataSource? = nil) {
        self.pluginName = pluginName
        pluginStateDirectory = "\(stateDirectory)/plugins/\(pluginName)"
        store = KeyValueStore(directory: "\(stateDirectory)/kv", plugin: pluginName)
        self.metadata = metadata ?? MetadataSource(file: "\(stateDirectory)/metadata.json")
        events = EventLog(file: "\(stateDirectory)/events.jsonl")
        self.logger = logger
        self.isOrchestrator = isOrchestrator
        self.router = router
        namePointer = strdup(pluginName)
        stateDirPointer = strdup(pluginStateDirectory)
        table = .allocate(capacity: 1)
        table.initialize(to: paddock_host())
        try? FileSystem.makeDirectories(pluginStateDirectory, mode: 0o700)
        fill()
    }

    deinit {
        table.deallocate()
        free(namePointer)
        free(stateDirPointer)
    }

    public var cTable: UnsafePointer<paddock_host> { UnsafePointer(table) }

    private func fill() {
        table.pointee.struct_size = UInt32(MemoryLayout<paddock_host>.size)
        table.pointee.version = ABIVersion(major: 1, minor: 0).raw
        table.pointee.ctx = Unmanaged.passUnretained(self).toOpaque()
        table.pointee.plugin_name = UnsafePointer(namePointer)
        table.pointee.plugin_state_dir = UnsafePointer(stateDirPointer)
        table.pointee.log = { ctx, level, message, length in
            guard let services = HostServices.from(ctx) else { return }
            let text = HostServices.string(message, length) ?? "(invalid UTF-8 log message)"
            services.logger.log(LogLevel(rawValue: Int(level.rawValue)) ?? .info, plugin: services.pluginName, text)
        }
        table.pointee.kv_get = { ctx, key, keyLength, out in
            HostServices.run(ctx, out) { services throws(HostCallFailure) in
                let value = try services.storeCall { () throws(KeyValueStore.Failure) in try services.store.get(try HostServices.key(key, keyLength)) }
                return value
            }
        }
        table.pointee.kv_put = { ctx, key, keyLength, value, valueLength in
            HostServices.run(ctx, nil) { services throws(HostCallFailure) in
                let bytes = HostServices.bytes(value, valueLength)
                try services.storeCall { () throws(KeyValueStore.Failure) in try services.store.put(try HostServices.key(key, keyLength), bytes) }
                return nil
            }
        }
        table.pointee.kv_compare_and_swap = { ctx, key, keyLength, expected, expectedLength, value, valueLength in
            HostServices.run(ctx, nil) { services throws(HostCallFailure) in
                let old = expected == nil ? nil : HostServices.bytes(expected, expectedLength)
                let new = HostServices.bytes(value, valueLength)
                try services.storeCall { () throws(KeyValueStore.Failure) in
                    try services.store.compareAndSwap(try HostServices.key(key, keyLength), expected: old, value: new)
                }
                return nil
            }
        }
        table.pointee.kv_delete = { ctx, key, keyLength in
            HostServices.run(ctx, nil) { services throws(HostCallFailure) in
                try services.storeCall { () throws(KeyValueStore.Failure) in try services.store.delete(try HostServices.key(key, keyLength)) }
                return nil
            }
        }
        table.pointee.kv_list = { ctx, prefix, prefixLength, out in
            HostServices.run(ctx, out) { services throws(HostCallFailure) in
                let text = prefixLength == 0 ? "" : (HostServices.string(prefix, prefixLength) ?? "")
                let keys = try services.storeCall { () throws(KeyValueStore.Failure) in try services.store.keys(prefix: text) }
                return Array(JSONValue.array(keys.map { .string($0) }).serialized().utf8)
            }
        }
        table.pointee.metadata_query = { ctx, query, length, out in
            HostServices.run(ctx, out) { services throws(HostCallFailure) in
                let request = try HostServices.json(query, length)
                do throws(HostError) {
                    return Array(try services.metadata.answer(request).serialized().utf8)
                } catch {
                    // The hint (e.g. which paddock.json field names the unreachable etcd) travels
                    // as "details", so the driver's own error can pass it on to the operator.
                    let status = error.code == .unsupported ? PADDOCK_E_NOT_SUPPORTED : PADDOCK_E_IO
                    throw HostCallFailure(status, error.message,
                                          document: StatusCode.errorDocument(status, error.message, details: error.hint ?? ""))
                }
            }
        }
        table.pointee.emit_event = { ctx, event, length in
            HostServices.run(ctx, nil) { services throws(HostCallFailure) in
                let value = try HostServices.json(event, length)
                guard value["type"]?.stringValue != nil else {
                    throw HostCallFailure(PADDOCK_E_INVALID_CONFIG, "an event needs a string \"type\"")
                }
                do {
                    try services.events.append(plugin: services.pluginName, event: value)
                } catch {
                    throw HostCallFailure(PADDOCK_E_IO, "\(error)")
                }
                return nil
            }
        }
        table.pointee.call_driver = { ctx, request, length, out in
            HostServices.run(ctx, out) { services throws(HostCallFailure) in
                guard services.isOrchestrator else {
                    throw HostCallFailure(PADDOCK_E_REFUSED, "call_driver is for orchestrator plugins; \(services.pluginName) is not one")
                }
                guard let router = services.router else {
                    throw HostCallFailure(PADDOCK_E_UNAVAILABLE, "no environment is wired to route driver calls")
                }
                let result = router(try HostServices.json(request, length))
                guard result.isSuccess else {
                    throw HostCallFailure(result.status, result.errorMessage, document: result.body)
                }
                return Array(result.body.serialized().utf8)
            }
        }
        table.pointee.free_buffer = { _, data, _ in free(data) }
    }

    func storeCall<T>(_ body: () throws(KeyValueStore.Failure) -> T) throws(HostCallFailure) -> T {
        do {
            return try body()
        } catch {
            switch error {
            case .notFound: throw HostCallFailure(PADDOCK_E_NOT_FOUND, "no such key")
            case .conflict: throw HostCallFailure(PADDOCK_E_CONFLICT, "the stored value changed")
            case .invalidKey(let why): throw HostCallFailure(PADDOCK_E_INVALID_CONFIG, why)
            case .io(let why): throw HostCallFailure(PADDOCK_E_IO, why)
            }
        }
    }

    static func from(_ ctx: UnsafeMutableRawPointer?) -> HostServices? {
        ctx.map { Unmanaged<HostServices>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Runs a service body; its bytes (or error document) go to `out` in malloc'd memory.
    static func run(_ ctx: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<paddock_buffer>?,
                    _ body: (HostServices) throws(HostCallFailure) -> [UInt8]?) -> paddock_status {
        guard let services = from(ctx) else { return PADDOCK_E_INVALID_ENV }
        do {
            if let bytes = try body(services), let out { out.pointee = allocate(bytes) }
            return PADDOCK_OK
        } catch {
            if let out {
                let document = error.document ?? StatusCode.errorDocument(error.status, error.message)
                out.pointee = allocate(Array(document.serialized().utf8))
            }
            return error.status
        }
    }

    static func allocate(_ bytes: [UInt8]) -> paddock_buffer {
        let memory = malloc(max(bytes.count, 1))!.assumingMemoryBound(to: CChar.self)
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress { memcpy(memory, base, raw.count) }
        }
        return paddock_buffer(data: memory, len: bytes.count)
    }

    static func bytes(_ pointer: UnsafePointer<CChar>?, _ length: Int) -> [UInt8] {
        guard let pointer, length > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    static func string(_ pointer: UnsafePointer<CChar>?, _ length: Int) -> String? {
        String(validating: bytes(pointer, length), as: UTF8.self)
    }

    static func key(_ pointer: UnsafePointer<CChar>?, _ length: Int) throws(KeyValueStore.Failure) -> String {
        guard let text = string(pointer, length) else { throw .invalidKey("keys must be UTF-8") }
        return text
    }

    static func json(_ pointer: UnsafePointer<CChar>?, _ length: Int) throws(HostCallFailure) -> JSONValue {
        let raw = bytes(pointer, length)
        if raw.isEmpty { return .object([:]) }
        do {
            return try JSONValue(parsing: raw)
        } catch {
            throw HostCallFailure(PADDOCK_E_DECODE, "the request is not JSON: \(error)")
        }
    }
}

struct HostCallFailure: Error {
    var status: paddock_status
    var message: String
    var document: JSONValue?
    init(_ status: paddock_status, _ message: String, document: JSONValue? = nil) {
        self.status = status
        self.message = message
        self.document = document
    }
}
