import Glibc
import PaddockPluginKit
import PluginABI
import StorageNFSCore

/// Mounts a volume's directory on a local target, with the kernel's NFS client or the userspace
/// helper, and unmounts it.
struct Mounter {
    let settings: NFSSettings
    /// Where the helper's output goes (a file per volume).
    let logDirectory: String

    /// The path this host uses for `version` under the configured mode.
    func mode(for version: NFSVersion) -> MountMode {
        settings.mountMode.resolved(kernelHasNFS: MountMode.kernelSupports(version, filesystems: Files.read("/proc/filesystems") ?? ""))
    }

    /// Mounts and returns "kernel" or "fuse".
    func mount(_ spec: VolumeSpec, on target: String) throws(DriverError) -> String {
        try Files.makeDirectories(target)
        try Files.makeDirectories(logDirectory)
        let log = "\(logDirectory)/\(spec.name.value).log"
        let mode = mode(for: spec.version)
        let (executable, arguments): (String, [String])
        switch mode {
        case .kernel, .auto:
            let source = "\(spec.host.contains(":") ? "[\(spec.host)]" : spec.host):\(spec.location.path.isEmpty ? "/" : spec.location.path)"
            (executable, arguments) = ("/bin/mount", ["-t", spec.version.kernelType, "-o", spec.kernelMountOptions, source, target])
        case .fuse:
            let helper = try FuseHelper.locate(configured: settings.fuseHelper)
            let options = (["allow_other", "default_permissions"] + spec.fuseMountOptions.honoured).joined(separator: ",")
            (executable, arguments) = (helper, ["--timeout", String(settings.timeoutSeconds), "-o", options,
                                                spec.location.url(version: NFSVersion(major: spec.version.major)), target])
        }
        // One NFS connection attempt plus the time to set up the mount.
        let limit = Double(settings.timeoutSeconds) + 5
        let outcome = try MountCommand.run(executable, arguments, outputFile: log, timeoutSeconds: limit)
        let via = mode == .fuse ? "fuse" : "kernel"
        let said = outcome.output.split(separator: "\n").last.map(String.init) ?? ""
        if outcome.timedOut {
            throw DriverError(code: PADDOCK_E_TIMEOUT, "nfs: mounting volume \(spec.name) (\(via)) from \(spec.location) did not finish within \(Int(limit)) s",
                              details: "check that the NFS server answers; the mount's output is in \(log)")
        }
        guard outcome.code == 0 else {
            let unreachable = said.contains("nfs_mount")
            throw DriverError(code: said.contains("timed out") ? PADDOCK_E_TIMEOUT : PADDOCK_E_IO,
                              "nfs: mounting volume \(spec.name) (\(via)) from \(spec.location) failed: \(said.isEmpty ? "exit \(outcome.code.map(String.init) ?? "by signal")" : said)",
                              details: unreachable ? "check that the NFS server runs and exports \(spec.location.path); output in \(log)"
                                                   : "the mount's output is in \(log)")
        }
        // The helper returns once the mount exists; mount(8) too. Checked, bounded, all the same.
        let deadline = Clock.seconds() + Double(settings.timeoutSeconds)
        while !MountTable.isMounted(target) {
            if Clock.seconds() >= deadline {
                throw DriverError(code: PADDOCK_E_TIMEOUT, "nfs: volume \(spec.name) did not appear mounted on \(target) within \(settings.timeoutSeconds) s",
                                  details: "the mount's output is in \(log)")
            }
            usleep(10_000)
        }
        return via
    }

    /// Unmounts `target`; nothing to do when it is not mounted. Busy: a clear error, nothing changed.
    func unmount(_ target: String, volume: String) throws(DriverError) {
        guard MountTable.isMounted(target) else { return }
        if umount2(target, 0) == 0 { return }
        let code = errno
        switch code {
        case EINVAL, ENOENT:
            return
        case EBUSY:
            throw DriverError(code: PADDOCK_E_BUSY, "nfs: volume \(volume) cannot be unmounted from \(target): it is busy",
                              details: "a process has a file or its working directory there (fuser -vm \(target) shows which); stop it, then unmount again")
        case EPERM where MountTable.type(at: target)?.hasPrefix("fuse") == true:
            // Not root: the FUSE way.
            let outcome = try MountCommand.run("/usr/bin/fusermount3", ["-u", target], outputFile: "\(logDirectory)/\(volume).unmount.log", timeoutSeconds: 30)
            guard outcome.code == 0 else {
                let busy = outcome.output.contains("busy")
                throw DriverError(code: busy ? PADDOCK_E_BUSY : PADDOCK_E_IO,
                                  "nfs: fusermount3 -u \(target) for volume \(volume) failed: \(outcome.output)",
                                  details: busy ? "stop the processes using \(target) (fuser -vm \(target)), then unmount again" : "")
            }
        default:
            throw Files.failure("umount2", target, code: code)
        }
    }
}

/// Where the userspace mount helper is.
enum FuseHelper {
    static let name = "paddock-nfs-fuse"

    static func locate(configured: String?) throws(DriverError) -> String {
        if let configured {
            guard Files.isExecutable(configured) else {
                throw .invalidConfig("nfs: fuseHelper \(configured) is not an executable file",
                                     details: "build it (swift build --product \(name)) or fix \"fuseHelper\" in the enable config")
            }
            return configured
        }
        let candidates = candidateDirectories().map { "\($0)/\(name)" }
        if let found = candidates.first(where: Files.isExecutable) { return found }
        throw DriverError(code: PADDOCK_E_INVALID_ENV, "nfs: the userspace NFS mount helper \(name) was not found (looked for \(candidates.joined(separator: ", ")))",
                          details: "install it beside the driver or the paddock binary, or set \"fuseHelper\" in the enable config")
    }

    /// Beside the driver's .so (symlinks resolved), beside the paddock binary, then the system dirs.
    static func candidateDirectories() -> [String] {
        var directories: [String] = []
        if let image = imagePath(containing: UInt(bitPattern: #dsohandle)), let real = Files.realPath(image) {
            directories.append(Files.directory(of: real))
        }
        if let exe = Files.realPath("/proc/self/exe") { directories.append(Files.directory(of: exe)) }
        directories += ["/usr/local/lib/paddock", "/usr/lib/paddock", "/usr/local/bin", "/usr/bin"]
        var seen = Set<String>()
        return directories.filter { seen.insert($0).inserted }
    }

    /// The file mapped at `address`, from /proc/self/maps (dladdr needs _GNU_SOURCE, which
    /// Swift's Glibc module does not define).
    static func imagePath(containing address: UInt) -> String? {
        for line in (Files.read("/proc/self/maps") ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[5].hasPrefix("/") else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16),
                  start <= address, address < end else { continue }
            return String(fields[5])
        }
        return nil
    }
}
