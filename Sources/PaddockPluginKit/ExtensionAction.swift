import Glibc
import PluginABI

/// Helpers for a Swift driver's extension actions: C functions the manifest's "actions" name and
/// the host calls through libffi as `paddock_status fn(void *instance, <args>, paddock_buffer *result)`.
///
///     @c(hostlocal_release)
///     public func release(_ instance: UnsafeMutableRawPointer?, _ address: UnsafePointer<CChar>?,
///                         _ result: UnsafeMutablePointer<paddock_buffer>?) -> Int32 {
///         ExtensionAction.run(instance, result, as: HostLocalDriver.self) { driver throws(DriverError) in
///             try driver.release(try ExtensionAction.string(address, "ADDRESS"))
///         }
///     }
public enum ExtensionAction {
    /// Finds the driver `create` made for `instance`, runs `body` on it and writes its JSON result
    /// (or the thrown DriverError's error document) into `result`. Returns the status.
    public static func run<D: Driver>(_ instance: UnsafeMutableRawPointer?, _ result: UnsafeMutablePointer<paddock_buffer>?,
                                      as type: D.Type, _ body: (D) throws(DriverError) -> JSONValue) -> paddock_status {
        do throws(DriverError) {
            guard let instance else { throw DriverError(code: PADDOCK_E_INVALID_ENV, "the action was called without an instance") }
            let box = Unmanaged<DriverBox>.fromOpaque(instance).takeUnretainedValue()
            guard let driver = box.driver as? D else {
                throw DriverError.internalError("the instance holds a \(Swift.type(of: box.driver)), not a \(D.self)")
            }
            let value = try body(driver)
            result?.pointee = Exported.allocate(value.serialized())
            return PADDOCK_OK
        } catch {
            result?.pointee = Exported.allocate(error.document.serialized())
            return error.code
        }
    }

    /// An `s` argument as a Swift string; `name` is how the error refers to it.
    public static func string(_ pointer: UnsafePointer<CChar>?, _ name: String) throws(DriverError) -> String {
        guard let pointer else { throw .invalidConfig("\(name) is NULL") }
        guard let text = String(validatingCString: pointer) else { throw .decode("\(name) is not UTF-8") }
        return text
    }

    /// A `b` argument's bytes (pointer + length).
    public static func bytes(_ pointer: UnsafeRawPointer?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
