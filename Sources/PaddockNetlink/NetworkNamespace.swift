import CPaddockNamespace
import Glibc

/// An open network namespace (a descriptor on its nsfs file). Work inside it runs on a dedicated
/// OS thread that enters the namespace and exits afterwards, so no pooled thread — and no Swift
/// concurrency task — is ever left in the wrong namespace (containernetworking pkg/ns).
public final class NetworkNamespace: @unchecked Sendable {
    public let path: String
    let descriptor: Int32

    private static let cloneNewNet: Int32 = 0x4000_0000
    private static let nsfsMagic: Int = 0x6e73_6673

    /// Opens the namespace at `path` (`/proc/PID/ns/net`, `/var/run/netns/NAME`, a CNI_NETNS path).
    public init(path: String) throws(NetlinkError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw NetlinkError("open network namespace \(path)", errno: errno) }
        guard paddock_fs_type(fd) == Self.nsfsMagic else {
            close(fd)
            throw NetlinkError("\(path) is not a network namespace file", errno: EINVAL)
        }
        self.path = path
        descriptor = fd
    }

    /// `ip netns`'s named namespaces: `/var/run/netns/NAME`.
    public convenience init(named name: String) throws(NetlinkError) {
        guard !name.isEmpty, name.utf8.count <= 255, !name.contains("/"), !name.utf8.contains(0), name != ".", name != ".." else {
            throw NetlinkError("network namespace name \"\(name)\"", errno: EINVAL)
        }
        try self.init(path: "/var/run/netns/\(name)")
    }

    /// The namespace of the calling thread.
    public static func current() throws(NetlinkError) -> NetworkNamespace {
        try NetworkNamespace(path: "/proc/thread-self/ns/net")
    }

    /// The namespace's fd, for IFLA_NET_NS_FD. Valid while this object lives.
    public var fileDescriptor: Int32 { descriptor }

    deinit { close(descriptor) }

    /// Runs `body` on a new OS thread that has entered this namespace; waits for it.
    public func run<T>(_ body: () throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { escapable in
            let job = NamespaceJob(descriptor: descriptor, path: path) { () -> Result<Any, any Error> in
                do { return .success(try escapable()) } catch { return .failure(error) }
            }
            try job.runOnDedicatedThread()
            switch job.outcome! {
            case .success(let value): return value as! T
            case .failure(let error): throw error
            }
        }
    }

    /// An rtnetlink socket that belongs to this namespace (usable from any thread afterwards).
    public func socket() throws(NetlinkError) -> NetlinkSocket {
        do {
            return try run { try NetlinkSocket() }
        } catch let error as NetlinkError {
            throw error
        } catch {
            throw NetlinkError("socket in \(path): \(error)", errno: 0)
        }
    }

    static func enter(_ descriptor: Int32, _ path: String) throws(NetlinkError) {
        guard paddock_setns(descriptor, cloneNewNet) == 0 else { throw NetlinkError("setns \(path)", errno: errno) }
    }
}

/// One closure to run on its own pthread inside a namespace.
private final class NamespaceJob {
    let descriptor: Int32
    let path: String
    let work: () -> Result<Any, any Error>
    var outcome: Result<Any, any Error>?

    init(descriptor: Int32, path: String, work: @escaping () -> Result<Any, any Error>) {
        self.descriptor = descriptor
        self.path = path
        self.work = work
    }

    func runOnDedicatedThread() throws(NetlinkError) {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&thread, nil, { raw in
            let job = Unmanaged<NamespaceJob>.fromOpaque(raw!).takeRetainedValue()
            do {
                // The thread is discarded afterwards: it never returns to the original namespace.
                try NetworkNamespace.enter(job.descriptor, job.path)
                job.outcome = job.work()
            } catch {
                job.outcome = .failure(error)
            }
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<NamespaceJob>.fromOpaque(context).release()
            throw NetlinkError("pthread_create for namespace \(path)", errno: created)
        }
        pthread_join(thread, nil)
    }
}
