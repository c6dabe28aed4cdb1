/// Checks of the identifiers the runtime passes. Drivers use them as key and file names, so
/// anything that could escape a directory or a name field is refused before a driver sees it.
public enum CNINames {
    /// Longest container ID accepted (runtimes use 64 hex digits; the spec sets no limit).
    public static let maximumContainerIDLength = 255
    /// IFNAMSIZ − 1: what the kernel accepts as a link name.
    public static let maximumInterfaceNameLength = 15

    /// SPEC "Container ID": non-empty, an alphanumeric first, then alphanumerics, `_`, `.`, `-`.
    /// Paddock also refuses `..` and more than 255 bytes.
    public static func checkContainerID(_ id: String) throws(CNIError) {
        let bytes = Array(id.utf8)
        guard !bytes.isEmpty else { throw CNIError(.invalidEnvironment, "CNI_CONTAINERID is empty") }
        guard !bytes.contains(0) else { throw CNIError(.invalidEnvironment, "CNI_CONTAINERID contains a NUL byte") }
        guard bytes.count <= maximumContainerIDLength else {
            throw CNIError(.invalidEnvironment, "CNI_CONTAINERID is \(bytes.count) bytes long",
                           details: "container IDs may have at most \(maximumContainerIDLength) bytes")
        }
        guard isAlphanumeric(bytes[0]), bytes.allSatisfy({ isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }) else {
            throw CNIError(.invalidEnvironment, "CNI_CONTAINERID \"\(printable(id))\" has invalid characters",
                           details: "a container ID starts with a letter or digit, followed by letters, digits, _, . or -")
        }
        guard !id.contains("..") else {
            throw CNIError(.invalidEnvironment, "CNI_CONTAINERID \"\(id)\" contains \"..\"")
        }
    }

    /// A Linux link name: 1–15 bytes, not `.` or `..`, no `/`, `:`, whitespace or NUL.
    public static func checkInterfaceName(_ name: String) throws(CNIError) {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty else { throw CNIError(.invalidEnvironment, "CNI_IFNAME is empty") }
        guard bytes.count <= maximumInterfaceNameLength else {
            throw CNIError(.invalidEnvironment, "CNI_IFNAME \"\(printable(name))\" is \(bytes.count) bytes long",
                           details: "Linux interface names have at most \(maximumInterfaceNameLength) bytes")
        }
        guard name != ".", name != ".." else { throw CNIError(.invalidEnvironment, "CNI_IFNAME \"\(name)\" is not a name") }
        for byte in bytes where byte == 0 || byte == 0x2F || byte == 0x3A || byte == 0x20 || (0x09...0x0D).contains(byte) || byte == 0x7F {
            throw CNIError(.invalidEnvironment, "CNI_IFNAME \"\(printable(name))\" contains an invalid character",
                           details: "interface names may not contain /, :, whitespace or NUL")
        }
    }

    /// SPEC "name": an alphanumeric first, then alphanumerics, `_`, `.`, `-`.
    public static func isValidNetworkName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// The text with control characters shown as `\xNN` and cut at 80 characters, for one-line errors.
    static func printable(_ text: String) -> String {
        let digits = Array("0123456789abcdef")
        var out = ""
        for scalar in text.unicodeScalars.prefix(80) {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\x\(digits[Int(scalar.value >> 4)])\(digits[Int(scalar.value & 0xF)])"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return text.unicodeScalars.count > 80 ? out + "…" : out
    }
}
