import Glibc
import LBHaproxyCore
import PaddockPluginKit
import PaddockPosix

/// The few system calls the driver needs, each failure a DriverError naming the call and errno.
enum System {
    static func error(_ call: String, _ what: String, code: Int32 = errno) -> DriverError {
        .io("\(call)(\(what)) failed: \(String(cString: strerror(code))) (errno \(code))")
    }

    /// A failed PaddockPosix call as a DriverError in the words above (`what` when it names no path).
    static func error(_ failure: SystemError, about what: String) -> DriverError {
        error(failure.call, failure.path ?? what, code: failure.errno)
    }

    static func readFile(_ path: String) -> String? {
        (try? FileSystem.read(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Write a file atomically (PaddockPosix's AtomicFile: temp + fsync + rename), as every state
    /// write in Paddock.
    static func writeFile(_ path: String, _ text: String, mode: mode_t = 0o644) throws(DriverError) {
        do { try AtomicFile.write(Array(text.utf8), to: path, mode: mode) } catch { throw Self.error(error, about: path) }
    }

    static func makeDirectories(_ path: String) throws(DriverError) {
        do { try FileSystem.makeDirectories(path) } catch { throw Self.error(error, about: path) }
    }

    static func removeTree(_ path: String) { FileSystem.removeTree(path) }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isAlive(_ pid: pid_t) -> Bool { pid > 0 && kill(pid, 0) == 0 }

    static func now() -> Double { ChildProcess.monotonicSeconds() }

    static func sleep(milliseconds: Int) { usleep(useconds_t(milliseconds * 1000)) }

    /// Runs a program to completion (bounded), returning its exit status and combined output.
    static func run(_ executable: String, _ arguments: [String], timeoutSeconds: Double = 30) throws(DriverError) -> (status: Int32, output: String) {
        do {
            let outcome = try ChildProcess.run(executable, arguments: arguments, output: .combined, timeoutSeconds: timeoutSeconds)
            return (outcome.termination.shellStatus, String(decoding: outcome.stdout, as: UTF8.self))
        } catch {
            throw Self.error(error, about: executable)
        }
    }

    /// Runs a program that daemonizes (its children keep running): output goes to `logPath`, so no
    /// pipe is held open by the daemon, and only the launcher's own exit is awaited.
    static func launch(_ executable: String, _ arguments: [String], logPath: String) throws(DriverError) -> (status: Int32, output: String) {
        do {
            let outcome = try ChildProcess.run(executable, arguments: arguments, output: .init(logPath, mode: 0o644),
                                               grouping: .inherited, timeoutSeconds: .infinity)
            return (outcome.termination.shellStatus, String(decoding: outcome.stdout, as: UTF8.self))
        } catch {
            throw Self.error(error, about: executable)
        }
    }
}

/// A request/response over a Unix stream socket (HAProxy's stats and master CLI): send one command
/// line, read until the server closes.
enum UnixSocket {
    static func request(_ path: String, _ command: String, timeoutSeconds: Double = 5) throws(DriverError) -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw System.error("socket", path) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .io("socket path \(path) is too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw System.error("connect", path) }
        var timeout = timeval(tv_sec: Int(timeoutSeconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let line = Array((command + "\n").utf8)
        guard line.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == line.count else {
            throw System.error("send", path)
        }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            reply += buffer[0..<count]
        }
        return String(decoding: reply, as: UTF8.self)
    }
}
