import Foundation
import Glibc
import PaddockPosix
import XCTest

/// A dockerd of the test's own: data, exec root, pid file and API socket under a temp dir, and
/// kept off the host's network (no bridge, no iptables, no forwarding). Stopped with its
/// containerd in teardown.
final class DockerDaemon: @unchecked Sendable {
    let root: String
    let socket: String
    private let daemon: VolumeTestProcess
    static let docker = ["/usr/local/bin/docker", "/usr/bin/docker"].first { FileSystem.exists($0) } ?? "docker"
    static let image = "local/busybox:1"

    init(root: String) throws {
        guard FileSystem.exists("/usr/sbin/dockerd") else { throw XCTSkip("dockerd is not installed (Debian docker.io)") }
        guard FileSystem.exists("/bin/busybox") || FileSystem.exists("/usr/bin/busybox") else { throw XCTSkip("busybox-static is not installed") }
        self.root = root
        socket = "\(root)/docker.sock"
        daemon = try VolumeTestProcess("/usr/sbin/dockerd", [
            "--data-root", "\(root)/data", "--exec-root", "\(root)/exec", "-p", "\(root)/docker.pid",
            "-H", "unix://\(socket)", "--iptables=false", "--ip6tables=false", "--ip-forward=false", "--bridge=none",
        ], output: "\(root)/dockerd.log")
        guard VolumeTestWait.until(60, { (try? self.run(["version", "--format", "{{.Server.Version}}"]))?.status == .exited(0) }) else {
            let log = daemon.log
            stop()
            throw HarnessError("dockerd did not come up: \(log.suffix(2000))")
        }
        try importBusybox()
    }

    /// `docker ARGS…` against this daemon.
    func run(_ arguments: [String], timeout: Double = 120) throws -> Harness.Run {
        var env = ChildProcess.currentEnvironment()
        env["DOCKER_HOST"] = "unix://\(socket)"
        env["DOCKER_CONFIG"] = "\(root)/client"
        let outcome = try ChildProcess.run(Self.docker, arguments: arguments, environment: env, timeoutSeconds: timeout)
        return Harness.Run(status: outcome.termination, stdout: String(decoding: outcome.stdout, as: UTF8.self),
                           stderr: String(decoding: outcome.stderr, as: UTF8.self))
    }

    /// A busybox root packed into an image: no registry is reachable.
    private func importBusybox() throws {
        let rootfs = "\(root)/rootfs"
        try FileSystem.makeDirectories("\(rootfs)/bin")
        let busybox = FileSystem.exists("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox"
        try AtomicFile.copy(busybox, to: "\(rootfs)/bin/busybox", mode: 0o755)
        for tool in ["sh", "cat", "echo", "ls", "sleep", "true", "test"] { symlink("busybox", "\(rootfs)/bin/\(tool)") }
        let script = "tar -C \(rootfs) -c . | DOCKER_HOST=unix://\(socket) DOCKER_CONFIG=\(root)/client \(Self.docker) import - \(Self.image)"
        let outcome = try ChildProcess.run("/bin/sh", arguments: ["-c", script], timeoutSeconds: 120)
        guard outcome.termination == .exited(0) else {
            throw HarnessError("docker import failed: \(String(decoding: outcome.stderr, as: UTF8.self))")
        }
    }

    /// SIGTERM (dockerd stops its containers and its containerd), SIGKILL after 20 s; then
    /// anything still mounted under the root is detached so the temp dir can go.
    func stop() {
        let containers = (try? run(["ps", "-aq"], timeout: 30))?.stdout.split(separator: "\n").map(String.init) ?? []
        if !containers.isEmpty { _ = try? run(["rm", "-f"] + containers, timeout: 60) }
        if daemon.stop(SIGTERM, seconds: 20) == nil { killContainerd() }
        killContainerd()
        let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let mounted = table.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst(4).first.map(String.init) }
            .filter { $0.hasPrefix(root + "/") }.sorted { $0.count > $1.count }
        for path in mounted { umount2(path, Int32(MNT_DETACH)) }
    }

    /// The containerd this dockerd started (its config lives under our exec root).
    private func killContainerd() {
        let marker = "\(root)/exec/containerd"
        for entry in (try? FileSystem.list("/proc")) ?? [] {
            guard let pid = Int32(entry),
                  let cmdline = try? FileSystem.read("/proc/\(entry)/cmdline", limit: 8192) else { continue }
            let text = String(decoding: cmdline.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            if text.contains(marker) { kill(pid, SIGKILL) }
        }
    }
}
