import PaddockNetlink

/// Who an attachment belongs to: the container, its interface name and the network namespace
/// path, checked before anything touches the kernel or the store.
public struct AttachmentIdentity: Sendable, Hashable {
    public var containerID: String
    public var ifName: String
    /// Empty on DEL when the runtime has no namespace any more.
    public var netns: String

    /// Container IDs as CNI allows them: 1–255 bytes of letters, digits, `_`, `.`, `-`, starting
    /// with a letter or digit (so never `..`, `/` or NUL).
    public static func isValidContainerID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard (1...255).contains(bytes.count), let first = bytes.first, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
            && !id.contains("..")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
    }

    /// Reads and checks `containerId`, `ifName` (default eth0) and `netns` from a contract request.
    public init(containerID: String?, ifName: String?, netns: String?, requireNetns: Bool) throws(NetworkError) {
        guard let containerID, !containerID.isEmpty else {
            throw NetworkError(.invalidEnvironment, "containerId is required", details: "set CNI_CONTAINERID / \"containerId\"")
        }
        guard Self.isValidContainerID(containerID) else {
            throw NetworkError(.invalidEnvironment, "containerId \"\(Self.printable(containerID))\" is malformed",
                               details: "use 1–255 letters, digits, '_', '.', '-', starting with a letter or digit")
        }
        let name = ifName ?? "eth0"
        guard NetlinkSocket.isValidName(name) else {
            throw NetworkError(.invalidEnvironment, "ifName \"\(Self.printable(name))\" is not a valid interface name",
                               details: "use 1–15 bytes without '/', ':', whitespace or NUL, not '.' or '..'")
        }
        let path = netns ?? ""
        if requireNetns && path.isEmpty {
            throw NetworkError(.invalidEnvironment, "netns is required", details: "set CNI_NETNS / \"netns\" to the container's namespace path")
        }
        guard !path.utf8.contains(0), path.isEmpty || path.hasPrefix("/"), path.utf8.count <= 4096 else {
            throw NetworkError(.invalidEnvironment, "netns \"\(Self.printable(path))\" is not an absolute path")
        }
        self.containerID = containerID
        self.ifName = name
        self.netns = path
    }

    /// The store key for this attachment on `network`.
    public var owner: String { "\(containerID)/\(ifName)" }

    static func printable(_ text: String) -> String {
        let cut = text.utf8.count > 64 ? String(decoding: text.utf8.prefix(64), as: UTF8.self) + "…" : text
        return cut.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
    }
}
