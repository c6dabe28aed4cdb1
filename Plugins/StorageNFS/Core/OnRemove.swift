/// What `remove` does with the volume's data on the server (rancher-nfs `onRemove`).
public enum OnRemove: String, Sendable, CaseIterable {
    /// Delete the directory and everything in it (rancher-nfs's default).
    case purge
    /// Leave the data on the server; only the record goes.
    case retain
    /// Rename the directory to `archived-<name>-<time>` (nfs-subdir-external-provisioner's archive).
    case archive
}
