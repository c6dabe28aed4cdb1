import Foundation
import Glibc
import PaddockPosix
import XCTest

/// nfs-ganesha 4.3 (VFS FSAL, NFSv4 only) serving a temp directory on 127.0.0.1 at a free port,
/// started by a test and stopped in its teardown.
final class NFSGanesha {
    let port: Int
    /// The export's backing directory: what the server side sees.
    let exportDirectory: String
    /// The NFSv4 pseudo path clients mount.
    let pseudoPath = "/export"
    private let process: Process
    let log: String

    static let binary = "/usr/bin/ganesha.nfsd"

    /// `leaseSeconds`: the NFSv4 lease (ganesha's default is 60); short to test lease expiry.
    init(in directory: String, leaseSeconds: Int = 60) throws {
        let vfs = ["/usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so", "/usr/lib/aarch64-linux-gnu/ganesha/libfsalvfs.so"]
        guard FileSystem.exists(Self.binary), vfs.contains(where: FileSystem.exists) else {
            throw XCTSkip("nfs-ganesha is not installed (Debian nfs-ganesha, nfs-ganesha-vfs); .ci/run installs it")
        }
        port = try LBTest.freePort()
        exportDirectory = "\(directory)/export"
        let recovery = "\(directory)/recovery"
        try FileSystem.makeDirectories(exportDirectory)
        try FileSystem.makeDirectories(recovery)
        chmod(exportDirectory, 0o755)
        let config = "\(directory)/ganesha.conf"
        log = "\(directory)/ganesha.log"
        let text = """
            NFS_CORE_PARAM { Bind_addr = 127.0.0.1; NFS_Port = \(port); Protocols = 4; Enable_UDP = false;
                             Enable_NLM = false; Enable_RQUOTA = false; }
            NFSv4 { Lease_Lifetime = \(leaseSeconds); Graceless = true; RecoveryBackend = fs; RecoveryRoot = "\(recovery)";
                    Allow_Numeric_Owners = true; Only_Numeric_Owners = true; }
            EXPORT { Export_Id = 1; Path = "\(exportDirectory)"; Pseudo = \(pseudoPath); Access_Type = RW;
                     Squash = No_Root_Squash; SecType = sys; Protocols = 4; Transports = TCP; FSAL { Name = VFS; } }
            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: config))
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-F", "-f", config, "-L", log, "-p", "\(directory)/ganesha.pid", "-N", "NIV_EVENT"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready when the port accepts connections (bounded).
        let deadline = ChildProcess.monotonicSeconds() + 20
        while !Self.accepts(port) {
            guard process.isRunning, ChildProcess.monotonicSeconds() < deadline else {
                stop()
                throw HarnessError("ganesha did not start on 127.0.0.1:\(port): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            usleep(50_000)
        }
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ChildProcess.monotonicSeconds() + 10
        while process.isRunning, ChildProcess.monotonicSeconds() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

/// Unmounts (lazily) everything mounted under `directory`, deepest first: a test's FUSE mounts
/// must go before its server and its temp dir do.
func unmountEverything(under directory: String) {
    let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    let points = mountinfo.split(separator: "\n").compactMap { line -> String? in
        let fields = line.split(separator: " ")
        guard fields.count > 4 else { return nil }
        let point = fields[4].replacingOccurrences(of: "\\040", with: " ")
        return point.hasPrefix(directory + "/") ? point : nil
    }
    for point in points.sorted(by: { $0.count > $1.count }) { umount2(point, Int32(MNT_DETACH)) }
}
