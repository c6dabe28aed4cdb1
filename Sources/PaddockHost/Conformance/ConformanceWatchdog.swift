import Foundation
import Glibc
import PaddockPosix

/// Ends the child when one check runs past its deadline, after telling the parent which check hung.
/// The message is prepared when a check is armed, so that firing needs only write(2) and _exit(2):
/// a plugin that hangs while holding the allocator's lock cannot stall the watchdog.
final class ConformanceWatchdog: @unchecked Sendable {
    static let exitStatus: Int32 = 124
    private let fd: Int32
    private let lock = NSLock()
    private var deadline = Double.infinity
    private let message = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
    private var messageLength = 0

    init(fd: Int32) {
        self.fd = fd
        // The thread keeps the watchdog alive for the rest of the process, which is what it is for.
        let thread = Thread { self.watch() }
        thread.start()
    }

    /// Starts the clock for `check` ("" while the kit itself is setting up).
    func arm(_ check: String, seconds: Double) {
        let bytes = Array(ConformanceWire.encode(.timeout(check: check, seconds: seconds)).utf8.prefix(message.count))
        lock.lock()
        message.copyBytes(from: bytes)
        messageLength = bytes.count
        deadline = ChildProcess.monotonicSeconds() + seconds
        lock.unlock()
    }

    func disarm() {
        lock.lock()
        deadline = .infinity
        lock.unlock()
    }

    private func watch() {
        while true {
            usleep(20_000)
            lock.lock()
            if ChildProcess.monotonicSeconds() >= deadline {
                _ = write(fd, message.baseAddress, messageLength)
                _exit(Self.exitStatus)
            }
            lock.unlock()
        }
    }
}
