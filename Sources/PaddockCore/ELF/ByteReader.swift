/// Bounds-checked little/big-endian reads from a byte array; every failure is "truncated".
struct ByteReader {
    let bytes: [UInt8]
    let order: ELFFile.ByteOrder

    func u8(_ offset: Int) throws(ELFError) -> UInt8 {
        guard offset >= 0, offset < bytes.count else { throw truncated(offset, 1) }
        return bytes[offset]
    }

    func u16(_ offset: Int) throws(ELFError) -> UInt16 { UInt16(truncatingIfNeeded: try read(offset, 2)) }
    func u32(_ offset: Int) throws(ELFError) -> UInt32 { UInt32(truncatingIfNeeded: try read(offset, 4)) }
    func u64(_ offset: Int) throws(ELFError) -> UInt64 { try read(offset, 8) }

    func int(_ value: UInt64) throws(ELFError) -> Int {
        guard value <= UInt64(Int.max) else { throw ELFError("implausible offset or size \(value)") }
        return Int(value)
    }

    /// The NUL-terminated string at `base + index`, which must end inside `limit` bytes of `base`.
    func cString(at base: Int, index: Int, limit: Int) throws(ELFError) -> String {
        guard index >= 0, index < limit else { throw ELFError("string index \(index) is outside its table") }
        let start = base + index
        let end = min(base + limit, bytes.count)
        guard start < end else { throw truncated(start, 1) }
        var cursor = start
        while cursor < end, bytes[cursor] != 0 { cursor += 1 }
        guard cursor < end else { throw ELFError("unterminated string in a string table") }
        return String(decoding: bytes[start..<cursor], as: UTF8.self)
    }

    private func read(_ offset: Int, _ width: Int) throws(ELFError) -> UInt64 {
        guard offset >= 0, offset <= bytes.count - width else { throw truncated(offset, width) }
        var value: UInt64 = 0
        for i in 0..<width {
            let byte = UInt64(bytes[offset + (order == .little ? width - 1 - i : i)])
            value = (value << 8) | byte
        }
        return value
    }

    private func truncated(_ offset: Int, _ width: Int) -> ELFError {
        ELFError("truncated: needed \(width) byte(s) at offset \(offset) but the file has \(bytes.count)")
    }
}
