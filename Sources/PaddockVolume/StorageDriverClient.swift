import Foundation
import PaddockCore
import PaddockHost
import PaddockJSON
import PluginABI

/// The storage operations of one enabled driver, with the contract's statuses turned into
/// VolumeErrors that name the plugin and the operation.
public final class StorageDriverClient: @unchecked Sendable {
    public let name: String
    private let handle: any DriverHandle
    private var cachedCapabilities: StorageCapabilities?
    private let lock = NSLock()

    public init(name: String, handle: any DriverHandle) {
        self.name = name
        self.handle = handle
    }

    public func call(_ operation: String, _ request: JSONValue) throws(VolumeError) -> JSONValue {
        let result = handle.call(.storage, operation, request)
        guard !result.isSuccess else { return result.body }
        let text = "plugin \(name) failed storage.\(operation): \(result.errorMessage)"
        switch result.status {
        case PADDOCK_E_NOT_SUPPORTED: throw VolumeError(.notSupported, "plugin \(name) does not support storage.\(operation)")
        case PADDOCK_E_BUSY: throw VolumeError(.busy, text)
        case PADDOCK_E_UNKNOWN_CONTAINER, PADDOCK_E_NOT_FOUND: throw VolumeError(.notFound, text)
        case PADDOCK_E_EXISTS: throw VolumeError(.exists, text)
        case PADDOCK_E_INVALID_CONFIG, PADDOCK_E_UNSUPPORTED_FIELD, PADDOCK_E_DECODE: throw VolumeError(.invalidOption, text)
        default: throw VolumeError(.driver, text)
        }
    }

    /// Asked once per process; a driver without the operation gets the defaults (local, no
    /// attach, no options).
    public func capabilities() throws(VolumeError) -> StorageCapabilities {
        lock.lock()
        let cached = cachedCapabilities
        lock.unlock()
        if let cached { return cached }
        let capabilities: StorageCapabilities
        do {
            capabilities = StorageCapabilities(try call("capabilities", .object([:])))
        } catch where error.code == .notSupported {
            capabilities = StorageCapabilities()
        }
        lock.lock()
        cachedCapabilities = capabilities
        lock.unlock()
        return capabilities
    }
}
