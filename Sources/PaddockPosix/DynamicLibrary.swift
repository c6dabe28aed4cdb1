import Glibc

/// A dlopen()ed image. Never closed: Swift images cannot be unloaded safely, so Paddock keeps every
/// image for the life of the process and "disable" means "stop calling it".
public struct DynamicLibrary: @unchecked Sendable {
    public let path: String
    private let handle: UnsafeMutableRawPointer

    /// Loads with RTLD_NOW | RTLD_LOCAL: every symbol resolves now, and nothing leaks into the
    /// global namespace for other plugins to bind to.
    public static func open(_ path: String) throws(LoadError) -> DynamicLibrary {
        _ = dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw LoadError(call: "dlopen", message: lastError() ?? "unknown error", path: path)
        }
        return DynamicLibrary(path: path, handle: handle)
    }

    public func symbol(_ name: String) throws(LoadError) -> UnsafeMutableRawPointer {
        _ = dlerror()
        guard let address = dlsym(handle, name) else {
            throw LoadError(call: "dlsym", message: Self.lastError() ?? "\(name) is NULL", path: path)
        }
        return address
    }

    private static func lastError() -> String? {
        guard let text = dlerror() else { return nil }
        return String(cString: text)
    }
}

public struct LoadError: Error, Sendable, CustomStringConvertible {
    public var call: String
    public var message: String
    public var path: String
    public var description: String { "\(call)(\(path)): \(message)" }
}
