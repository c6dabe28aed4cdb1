import Glibc

/// A failed system or C library call: which call, on what, and errno.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var call: String
    public var errno: Int32
    public var path: String?

    public init(_ call: String, errno: Int32 = Glibc.errno, path: String? = nil) {
        self.call = call
        self.errno = errno
        self.path = path
    }

    public var message: String { String(cString: strerror(errno)) }

    public var description: String {
        let target = path.map { "(\($0))" } ?? ""
        return "\(call)\(target): \(message) (errno \(errno))"
    }
}

/// Retries a call interrupted by a signal; returns its result or throws with errno.
@discardableResult
func retryingEINTR<T: BinaryInteger>(_ call: String, path: String? = nil, _ body: () -> T) throws(SystemError) -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        if errno == EINTR { continue }
        throw SystemError(call, path: path)
    }
}

public enum ProcessSecurity {
    /// True when the kernel marked this process "secure" (setuid/setgid, or capabilities gained on
    /// exec): AT_SECURE in the auxiliary vector, what secure_getenv checks.
    /// getauxval is not in Swift's Glibc module map, so it is looked up once from libc.
    public static var isSecureExecution: Bool {
        typealias GetAuxval = @convention(c) (UInt) -> UInt
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "getauxval") else {
            return getuid() != geteuid() || getgid() != getegid()
        }
        return unsafeBitCast(symbol, to: GetAuxval.self)(23 /* AT_SECURE */) != 0
    }
}
