import Glibc

/// Looks up a link by name inside another network namespace without moving the caller: a
/// fresh thread joins the namespace (setns is per thread), asks, and exits. Used by the CNI
/// adapter's ADD guard.
public enum NamespaceInterfaceProbe {
    /// setns(2) and CLONE_NEWNET are behind _GNU_SOURCE, which Swift's Glibc module does not set;
    /// looked up from libc once, as ProcessSecurity does with getauxval.
    private typealias SetNamespace = @convention(c) (Int32, Int32) -> Int32
    private static let setNamespace: SetNamespace? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns")
        .map { unsafeBitCast($0, to: SetNamespace.self) }
    private static let cloneNewNet: Int32 = 0x4000_0000

    public enum Answer: Equatable, Sendable {
        case absent
        case present(index: UInt32)
    }

    /// Whether `interface` exists in the network namespace whose file is `netnsPath`.
    public static func lookup(netnsPath: String, interface: String) throws(SystemError) -> Answer {
        guard let setNamespace else { throw SystemError("dlsym(setns)", errno: ENOSYS) }
        let fd = open(netnsPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open", path: netnsPath) }
        defer { close(fd) }
        final class Box {
            let fd: Int32
            let interface: String
            let join: SetNamespace
            var index: UInt32 = 0
            var failedCall: String?
            var error: Int32 = 0
            init(fd: Int32, interface: String, join: SetNamespace) {
                self.fd = fd
                self.join = join
                self.interface = interface
            }
        }
        let box = Box(fd: fd, interface: interface, join: setNamespace)
        let context = Unmanaged.passRetained(box).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            if box.join(box.fd, NamespaceInterfaceProbe.cloneNewNet) != 0 {
                box.failedCall = "setns"
                box.error = errno
            } else {
                box.index = if_nametoindex(box.interface)
                if box.index == 0 && errno != ENODEV && errno != ENXIO {
                    box.failedCall = "if_nametoindex"
                    box.error = errno
                }
            }
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            throw SystemError("pthread_create", errno: created)
        }
        pthread_join(thread, nil)
        if let call = box.failedCall { throw SystemError(call, errno: box.error, path: call == "setns" ? netnsPath : interface) }
        return box.index == 0 ? .absent : .present(index: box.index)
    }
}
