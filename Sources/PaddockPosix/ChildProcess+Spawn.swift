import Glibc

/// The posix_spawn call both ways of starting a child share: process group or session, signal
/// dispositions and mask, argv and envp.
extension ChildProcess {
    /// The process group or session the child starts in.
    public enum Grouping: Sendable {
        /// The caller's group: the child (and what it leaves behind) is a plain subprocess.
        case inherited
        /// A group of its own, so it does not take signals meant for the caller's group.
        case ownGroup
        /// A session of its own (setsid): fully detached from the caller's terminal and group.
        case ownSession
    }

    /// glibc's POSIX_SPAWN_SETSID (2.26+), which Swift's Glibc module does not import.
    private static let spawnSetSID: Int32 = 0x80

    /// Spawns with `actions`, `defaultSignals` reset to their default action and no signal
    /// blocked; `environment` is the child's whole environment. Returns posix_spawn's result.
    static func posixSpawn(
        _ executable: String, arguments: [String], environment: [String: String],
        actions: inout posix_spawn_file_actions_t, grouping: Grouping, defaultSignals: sigset_t
    ) -> (result: Int32, pid: pid_t) {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        switch grouping {
        case .inherited: break
        case .ownGroup: flags |= POSIX_SPAWN_SETPGROUP
        case .ownSession: flags |= spawnSetSID
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = defaultSignals
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, env)
        return (result, pid)
    }

    static func signalSet(_ signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }

    /// Every signal whose action can be changed.
    static func catchableSignals() -> sigset_t {
        var set = sigset_t()
        sigfillset(&set)
        sigdelset(&set, SIGKILL)
        sigdelset(&set, SIGSTOP)
        return set
    }
}
