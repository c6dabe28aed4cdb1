import Glibc

/// A failed netlink, namespace or sysctl operation: what was attempted, on what, and the errno.
public struct NetlinkError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The operation, e.g. "RTM_NEWLINK vxlan vtep1042" or "setns /var/run/netns/c1".
    public var operation: String
    /// The errno the kernel or libc returned (0 when the failure is not an errno, e.g. a bad reply).
    public var errno: Int32
    /// The kernel's extended-ack message, when it sent one.
    public var kernelMessage: String

    public init(_ operation: String, errno: Int32, kernelMessage: String = "") {
        self.operation = operation
        self.errno = errno
        self.kernelMessage = kernelMessage
    }

    public var description: String {
        var text = "\(operation): "
        text += errno == 0 ? "failed" : "\(String(cString: strerror(errno))) (errno \(errno))"
        if !kernelMessage.isEmpty { text += " — kernel says: \(kernelMessage)" }
        return text
    }

    public var isNotFound: Bool { errno == ENODEV || errno == ENOENT || errno == ESRCH || errno == EADDRNOTAVAIL }
    public var isExists: Bool { errno == EEXIST }
}
