import Glibc
import IPsecCore
import PaddockPluginKit

/// One charon for the host, started in a mount namespace of its own with a private tmpfs on
/// /var/run: charon's pid file path is compiled in, and a live pid there stops a second charon
/// (one per host namespace on one machine). Its files live in the plugin's state directory.
struct Charon {
    let namespace: HostNamespace
    let directory: String
    let executable: String
    let swanctl: String

    var configPath: String { "\(directory)/strongswan.conf" }
    var viciSocket: String { "\(directory)/charon.vici" }
    var pidPath: String { "\(directory)/charon.pid" }
    var logPath: String { "\(directory)/charon.log" }
    var uri: String { "unix://\(viciSocket)" }

    static let startTimeoutSeconds = 15.0

    /// The pid recorded at start, if that process still runs charon.
    func runningPID() -> pid_t? {
        guard let text = System.readFile(pidPath), let pid = pid_t(text.trimmingCharacters()),
              System.isRunning(pid, program: "charon") else { return nil }
        return pid
    }

    /// Whether charon answers on its VICI socket.
    func answers() -> Bool {
        (try? System.run(swanctl, ["--stats", "--uri", uri], timeoutSeconds: 5).succeeded) ?? false
    }

    /// Makes sure charon runs with `config` and answers; restarts it when it died, hangs, or its
    /// config changed. Returns why it (re)started, or nil when it was fine.
    func ensure(config: String) throws(DriverError) -> String? {
        let current = System.readFile(configPath)
        if let pid = runningPID() {
            if current == config && answers() { return nil }
            stop(pid)
            return try start(config, reason: current == config ? "charon (pid \(pid)) did not answer on \(viciSocket)" : "charon's config changed")
        }
        let recorded = System.readFile(pidPath)?.trimmingCharacters()
        return try start(config, reason: recorded.map { "charon (pid \($0)) was not running" } ?? "first start")
    }

    func start(_ config: String, reason: String) throws(DriverError) -> String {
        guard viciSocket.utf8.count < 100 else {
            throw .invalidConfig("the VICI socket path \(viciSocket) is too long for a Unix socket",
                                 details: "use a shorter --state-dir")
        }
        guard System.exists(executable) else {
            throw .io("charon is not at \(executable)", details: "install strongswan-charon (and libcharon-extra-plugins for kernel-libipsec), or set \"charon\" in the ipsec config")
        }
        try System.writeFile(configPath, config)
        unlink(viciSocket)
        // `exec` keeps the pid: ip netns exec → unshare → sh → charon are one process.
        let script = "mount -t tmpfs -o mode=0755 tmpfs /var/run && STRONGSWAN_CONF=\"$1\" exec \"$2\""
        let (program, arguments) = namespace.command("/usr/bin/unshare", ["-m", "--propagation", "private", "/bin/sh", "-c", script, "charon", configPath, executable])
        let pid = try System.spawnDaemon(program, arguments, logPath: "\(directory)/charon.out")
        try System.writeFile(pidPath, "\(pid)\n", mode: 0o644)
        let deadline = System.now() + Self.startTimeoutSeconds
        while System.now() < deadline {
            if !System.isRunning(pid) {
                throw .io("charon exited right after starting in \(namespace.label)",
                          details: (System.readFile("\(directory)/charon.out") ?? "").suffixLines(8))
            }
            if System.exists(viciSocket) && answers() { return reason }
            System.sleep(milliseconds: 50)
        }
        stop(pid)
        throw .io("charon did not open \(viciSocket) within \(Int(Self.startTimeoutSeconds)) s", details: (System.readFile(logPath) ?? "").suffixLines(8))
    }

    func stop(_ pid: pid_t) {
        kill(pid, SIGTERM)
        let deadline = System.now() + 5
        while System.isRunning(pid) && System.now() < deadline { System.sleep(milliseconds: 20) }
        if System.isRunning(pid) { kill(pid, SIGKILL) }
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }
}

/// swanctl against this host's charon.
struct Swanctl {
    let executable: String
    let uri: String

    func run(_ arguments: [String], timeoutSeconds: Double = 20) throws(DriverError) -> System.Outcome {
        try System.run(executable, arguments + ["--uri", uri], timeoutSeconds: timeoutSeconds)
    }

    /// Loads connections and secrets from `file`; connections absent from it are unloaded.
    func load(file: String) throws(DriverError) {
        let outcome = try run(["--load-all", "--clear", "--noprompt", "--file", file])
        // swanctl exits 0 even when it could not parse the file.
        guard outcome.succeeded, !outcome.output.contains("invalid config file"), !outcome.output.contains("syntax error") else {
            throw .io("swanctl --load-all --file \(file) failed (status \(outcome.status))",
                      details: outcome.output.split(separator: "\n").filter { !$0.contains("opening directory") && !$0.contains("failed to load") }.joined(separator: "; "))
        }
    }

    func loadedConnections() throws(DriverError) -> [String] {
        let outcome = try run(["--list-conns"])
        guard outcome.succeeded else { throw .io("swanctl --list-conns failed", details: outcome.output.trimmedLines) }
        return SAListing.loadedConnections(outcome.output)
    }

    func listing() throws(DriverError) -> SAListing {
        let outcome = try run(["--list-sas", "--noblock"])
        guard outcome.succeeded else { throw .io("swanctl --list-sas failed", details: outcome.output.trimmedLines) }
        return SAListing(listSAs: outcome.output)
    }

    func terminate(_ connection: String) throws(DriverError) -> Bool {
        try run(["--terminate", "--ike", connection, "--force", "--timeout", "3"]).succeeded
    }

    /// Starts the CHILD SA (and its IKE SA); returns after at most a second, charon keeps trying.
    func initiate(_ connection: String) throws(DriverError) -> Bool {
        try run(["--initiate", "--child", connection, "--timeout", "1"], timeoutSeconds: 10).succeeded
    }
}

extension String {
    func trimmingCharacters() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    func suffixLines(_ count: Int) -> String {
        split(separator: "\n").suffix(count).joined(separator: "; ")
    }
}
