/// The CNI operations (`CNI_COMMAND`) and what each requires of the environment and config.
public enum CNICommand: String, CaseIterable, Sendable {
    case add = "ADD", del = "DEL", check = "CHECK", status = "STATUS", gc = "GC", version = "VERSION"

    /// Environment variables the command cannot run without (as libcni's skel requires them).
    public var requiredEnvironment: [String] {
        switch self {
        case .add, .check: ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"]
        case .del: ["CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH"]
        case .status, .gc: ["CNI_PATH"]
        case .version: []
        }
    }

    /// The oldest config version in which the command exists (CHECK 0.4.0; STATUS and GC 1.1.0).
    public var minimumVersion: CNIVersion? {
        switch self {
        case .check: CNIVersion(0, 4, 0)
        case .status, .gc: .v1_1_0
        default: nil
        }
    }

    /// The driver operation in the contract's network table.
    public var driverOperation: String {
        switch self {
        case .add: "add"
        case .del: "del"
        case .check: "check"
        case .status: "status"
        case .gc: "gc"
        case .version: "version"
        }
    }
}
