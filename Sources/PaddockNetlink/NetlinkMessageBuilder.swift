/// Builds one netlink request: the 16-byte nlmsghdr (length and sequence filled in on send), the
/// family header, then 4-byte aligned attributes, possibly nested.
struct NetlinkMessageBuilder {
    private(set) var bytes: [UInt8]

    init(type: UInt16, flags: UInt16) {
        bytes = []
        bytes.reserveCapacity(256)
        appendUInt32(0) // length, set by finish()
        appendUInt16(type)
        appendUInt16(flags | NL.request)
        appendUInt32(0) // sequence, set by finish()
        appendUInt32(0) // port id: the kernel fills it
    }

    mutating func appendUInt8(_ value: UInt8) { bytes.append(value) }
    mutating func appendUInt16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    mutating func appendUInt32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    mutating func appendInt32(_ value: Int32) { appendUInt32(UInt32(bitPattern: value)) }

    private mutating func pad() {
        while bytes.count % 4 != 0 { bytes.append(0) }
    }

    mutating func attribute(_ type: UInt16, _ payload: [UInt8]) {
        pad()
        appendUInt16(UInt16(4 + payload.count))
        appendUInt16(type)
        bytes += payload
        pad()
    }

    mutating func attribute(_ type: UInt16, uint32 value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { attribute(type, Array($0)) }
    }

    mutating func attribute(_ type: UInt16, int32 value: Int32) { attribute(type, uint32: UInt32(bitPattern: value)) }
    mutating func attribute(_ type: UInt16, uint8 value: UInt8) { attribute(type, [value]) }

    /// A NUL-terminated string attribute (interface names, link kinds).
    mutating func attribute(_ type: UInt16, string: String) { attribute(type, Array(string.utf8) + [0]) }

    /// Opens a nested attribute; `endNested` writes its length.
    mutating func beginNested(_ type: UInt16) -> Int {
        pad()
        let start = bytes.count
        appendUInt16(0)
        appendUInt16(type | NL.nestedFlag)
        return start
    }

    mutating func endNested(_ start: Int) {
        pad()
        let length = UInt16(bytes.count - start)
        bytes[start] = UInt8(length & 0xff)
        bytes[start + 1] = UInt8(length >> 8)
    }

    /// Opens a nested block that holds a raw family header first (VETH_INFO_PEER holds an ifinfomsg).
    mutating func beginNestedRaw(_ type: UInt16) -> Int {
        pad()
        let start = bytes.count
        appendUInt16(0)
        appendUInt16(type)
        return start
    }

    /// ifinfomsg: family, pad, type, index, flags, change.
    mutating func linkHeader(index: Int32 = 0, flags: UInt32 = 0, change: UInt32 = 0, family: UInt8 = NL.afUnspec) {
        appendUInt8(family)
        appendUInt8(0)
        appendUInt16(0)
        appendInt32(index)
        appendUInt32(flags)
        appendUInt32(change)
    }

    mutating func finish(sequence: UInt32) -> [UInt8] {
        pad()
        var out = bytes
        withUnsafeBytes(of: UInt32(out.count).littleEndian) { out.replaceSubrange(0..<4, with: $0) }
        withUnsafeBytes(of: sequence.littleEndian) { out.replaceSubrange(8..<12, with: $0) }
        return out
    }
}
