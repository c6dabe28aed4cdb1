import Glibc

/// An rtnetlink socket. It belongs to the network namespace of the thread that opened it, for
/// its whole life: open one inside a namespace (`NetworkNamespace.socket()`) to manage that
/// namespace from any thread afterwards. Not thread-safe: one caller at a time.
public final class NetlinkSocket {
    private let descriptor: Int32
    private var sequence: UInt32
    private var buffer: [UInt8]

    /// Opens a socket in the calling thread's network namespace.
    public init() throws(NetlinkError) {
        let fd = socket(NL.afNetlink, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NL.familyRoute)
        guard fd >= 0 else { throw NetlinkError("socket(AF_NETLINK)", errno: errno) }
        var address = [UInt8](repeating: 0, count: 12) // sockaddr_nl: family, pad, pid 0, groups 0
        address[0] = UInt8(NL.afNetlink)
        let bound = address.withUnsafeBytes { bind(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), 12) }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw NetlinkError("bind(AF_NETLINK)", errno: code)
        }
        var one: Int32 = 1
        // Extended acks carry the kernel's reason ("VXLAN: ..."); capped acks keep replies small.
        _ = setsockopt(fd, NL.solNetlink, NL.extAckOption, &one, 4)
        _ = setsockopt(fd, NL.solNetlink, 10 /* NETLINK_CAP_ACK */, &one, 4)
        descriptor = fd
        sequence = UInt32(truncatingIfNeeded: time(nil))
        buffer = [UInt8](repeating: 0, count: 64 * 1024)
    }

    deinit { close(descriptor) }

    /// Sends a request with NLM_F_ACK and waits for the kernel's answer.
    func execute(_ message: NetlinkMessageBuilder, _ operation: String) throws(NetlinkError) {
        var message = message
        let sent = try send(&message, extraFlags: NL.ack, operation)
        try receive(sequence: sent, operation) { _ in }
    }

    /// Sends a dump request and collects every reply message.
    func dump(_ message: NetlinkMessageBuilder, _ operation: String) throws(NetlinkError) -> [NetlinkMessage] {
        var message = message
        let sent = try send(&message, extraFlags: NL.dump, operation)
        var replies: [NetlinkMessage] = []
        try receive(sequence: sent, operation) { replies.append($0) }
        return replies
    }

    /// Sends a non-dump GET with NLM_F_ACK; the kernel answers one message, then the ack.
    func dumpSingle(_ message: NetlinkMessageBuilder, _ operation: String) throws(NetlinkError) -> NetlinkMessage? {
        var message = message
        let sent = try send(&message, extraFlags: NL.ack, operation)
        var reply: NetlinkMessage?
        try receive(sequence: sent, operation) { reply = $0 }
        return reply
    }

    private func send(_ message: inout NetlinkMessageBuilder, extraFlags: UInt16, _ operation: String) throws(NetlinkError) -> UInt32 {
        sequence &+= 1
        var bytes = message.finish(sequence: sequence)
        let flags = bytes.withUnsafeBytes { $0.load(fromByteOffset: 6, as: UInt16.self) } | extraFlags
        withUnsafeBytes(of: flags.littleEndian) { bytes.replaceSubrange(6..<8, with: $0) }
        while true {
            let written = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
            if written >= 0 { return sequence }
            if errno != EINTR { throw NetlinkError("\(operation): send", errno: errno) }
        }
    }

    /// Reads datagrams until the ack (or NLMSG_DONE of a dump) of `sequence`.
    private func receive(sequence expected: UInt32, _ operation: String, _ each: (NetlinkMessage) -> Void) throws(NetlinkError) {
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw NetlinkError("\(operation): recv", errno: errno)
            }
            for message in NetlinkMessage.parse(buffer[0..<count]) where message.sequence == expected {
                switch message.type {
                case NL.done:
                    return
                case NL.error:
                    let payload = message.payload
                    guard payload.count >= 4 else { throw NetlinkError(operation, errno: EPROTO) }
                    let code = payload.int32(at: payload.startIndex)
                    if code == 0 { return }
                    throw NetlinkError(operation, errno: -code, kernelMessage: Self.extendedAck(message))
                case NL.noop:
                    continue
                default:
                    each(message)
                }
            }
        }
    }

    /// NLMSGERR_ATTR_MSG from an extended ack (the echoed request is capped to its header).
    private static func extendedAck(_ message: NetlinkMessage) -> String {
        guard message.flags & NL.ackTLVs != 0, message.payload.count > 20 else { return "" }
        let attributes = NetlinkAttributes(message.payload.dropFirst(20))
        return attributes.string(1) ?? ""
    }
}
