/// The `paddock_build` section: NUL-separated `key=value` strings, concatenated from every object
/// of the plugin that contributes one (the manifest macro adds the C side, PaddockPluginKit adds
/// `swift=`). Compared key by key so a mismatch names what differs (nginx's lesson).
public struct BuildFingerprint: Sendable, Equatable {
    public var entries: [String: String]

    public init(entries: [String: String]) { self.entries = entries }

    public init(section: some Collection<UInt8>) {
        var entries: [String: String] = [:]
        for chunk in section.split(separator: 0) {
            let text = String(decoding: chunk, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            entries[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        self.entries = entries
    }

    public var swiftVersion: String? { entries["swift"] }

    /// The fingerprint of this host build, against which plugins are checked.
    public static var host: BuildFingerprint {
        BuildFingerprint(entries: [
            "paddock-abi": ABIVersion.hostCurrent.description,
            "pointer-bytes": String(MemoryLayout<UnsafeRawPointer>.size),
            "byte-order": hostByteOrder,
            "swift": HostToolchain.swiftVersion,
        ])
    }

    static var hostByteOrder: String { 1.littleEndian == 1 ? "little" : "big" }

    /// Human reasons this plugin cannot run in this host, empty when it can. `isSwift` says the
    /// plugin links the Swift runtime, which has no stable ABI on Linux.
    public func incompatibilities(with host: BuildFingerprint, isSwift: Bool) -> [String] {
        var reasons: [String] = []
        for key in ["pointer-bytes", "byte-order"] {
            if let mine = entries[key], let theirs = host.entries[key], mine != theirs {
                reasons.append("\(key) is \(mine) in the plugin but \(theirs) in the host")
            }
        }
        if let mine = entries["paddock-abi"], let plugin = ABIVersion(mine),
           plugin.major != ABIVersion.hostCurrent.major {
            reasons.append("built against ABI \(plugin) but this host speaks \(ABIVersion.hostMinimum)–\(ABIVersion.hostCurrent)")
        }
        if isSwift {
            switch swiftVersion {
            case nil:
                reasons.append("the plugin links the Swift runtime but records no swift= build entry; build it with PaddockPluginKit")
            case let version? where version != host.swiftVersion:
                reasons.append("built with Swift \(version) but this host was built with Swift \(host.swiftVersion ?? "?"); Swift has no stable ABI on Linux, so rebuild the plugin with the host's toolchain")
            default:
                break
            }
        }
        return reasons
    }
}
