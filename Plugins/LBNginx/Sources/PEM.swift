/// PEM blocks ("-----BEGIN LABEL-----" … "-----END LABEL-----", RFC 7468) and their base64.
struct PEMBlock {
    var label: String
    /// The block as it appeared, BEGIN and END lines included.
    var text: String
    var headers: [String]
    var base64: String

    static func blocks(in text: String) -> [PEMBlock] {
        var result: [PEMBlock] = []
        var current: (label: String, lines: [String], headers: [String], body: String)?
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: " \r\t")
            if current == nil {
                if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 {
                    current = (String(line.dropFirst(11).dropLast(5)), [line], [], "")
                }
                continue
            }
            current!.lines.append(line)
            if line == "-----END \(current!.label)-----" {
                result.append(PEMBlock(label: current!.label, text: current!.lines.joined(separator: "\n") + "\n",
                                       headers: current!.headers, base64: current!.body))
                current = nil
            } else if line.contains(":") {
                current!.headers.append(line)  // RFC 1421 headers such as Proc-Type: 4,ENCRYPTED
            } else {
                current!.body += line
            }
        }
        return result
    }

    /// The decoded bytes, or nil when the body is not base64.
    var bytes: [UInt8]? { Base64.decode(base64) }
}

enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        var padding = 0
        for byte in text.utf8 {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="):
                padding += 1
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"): continue
            default: return nil
            }
            guard padding == 0 else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return padding <= 2 ? output : nil
    }
}

/// FNV-1a, 64 bits: names files after their content (not a security hash).
func contentFingerprint(_ text: String) -> String {
    var hash: UInt64 = 0xcbf29ce484222325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100000001b3
    }
    let digits = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}
