import Glibc

/// The write end of the self-pipe the SIGTERM/SIGINT handler writes to (the only thing a signal
/// handler may safely do here).
nonisolated(unsafe) private var terminationPipeWriteEnd: Int32 = -1

/// SIGTERM and SIGINT as a readable descriptor, so a server's poll loop can stop cleanly.
public enum TerminationSignals {
    /// Installs the handlers once and returns the descriptor that becomes readable when either
    /// signal arrives.
    public static func descriptor() throws(SystemError) -> Int32 {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw SystemError("pipe") }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        }
        terminationPipeWriteEnd = fds[1]
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 1
            _ = Glibc.write(terminationPipeWriteEnd, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        guard sigaction(SIGTERM, &action, nil) == 0, sigaction(SIGINT, &action, nil) == 0 else {
            throw SystemError("sigaction")
        }
        return fds[0]
    }
}
