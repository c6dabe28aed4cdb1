/// Where ESP is done: in the kernel's XFRM (when the kernel has ESP) or in charon itself over a TUN
/// device (kernel-libipsec), as on kernels built without ESP.
public enum DataPath: String, Sendable, CaseIterable {
    case kernel
    case userspace

    public var label: String {
        switch self {
        case .kernel: "kernel ESP (XFRM)"
        case .userspace: "userspace ESP (strongSwan kernel-libipsec over the ipsec0 TUN device)"
        }
    }
}

/// What the host's kernel offers, as probed by adding throwaway XFRM states.
public struct KernelSupport: Equatable, Sendable {
    public var esp: Bool
    public var espGCM: Bool

    public init(esp: Bool, espGCM: Bool) {
        self.esp = esp
        self.espGCM = espGCM
    }
}

/// The data path to use and whether it can do AES-GCM (rancher-net drops GCM when the kernel lacks
/// AEAD support; charon's own gcm plugin always has it).
public struct DataPathChoice: Equatable, Sendable {
    public var path: DataPath
    public var gcm: Bool
    public var reason: String

    /// `requested` is the enable config's `data_path`: "auto", "kernel" or "userspace".
    public static func choose(requested: String, kernel: KernelSupport) throws(IPsecConfigError) -> DataPathChoice {
        switch requested {
        case "auto":
            if kernel.esp {
                return DataPathChoice(path: .kernel, gcm: kernel.espGCM, reason: "the kernel has ESP")
            }
            return DataPathChoice(path: .userspace, gcm: true, reason: "the kernel has no ESP (an XFRM ESP state cannot be added)")
        case "kernel":
            guard kernel.esp else {
                throw IPsecConfigError("data_path is \"kernel\" but this kernel has no ESP support",
                                       fix: "set data_path to \"auto\" or \"userspace\" (kernel-libipsec)")
            }
            return DataPathChoice(path: .kernel, gcm: kernel.espGCM, reason: "data_path = kernel")
        case "userspace":
            return DataPathChoice(path: .userspace, gcm: true, reason: "data_path = userspace")
        default:
            throw IPsecConfigError("data_path \"\(requested)\" is not one of auto, kernel, userspace", fix: "use auto")
        }
    }
}
