import Glibc
import LBHaproxyCore
import PaddockPluginKit

/// One balancer's HAProxy in master-worker mode: its files live in `directory`. Reloads go through
/// the master CLI; the master hands the listening sockets to the new worker (the stats socket has
/// `expose-fd listeners`), and server states are saved first and loaded by the new worker.
struct HAProxyProcess {
    let binary: String
    let directory: String
    let reloadTimeoutSeconds: Double

    var configPath: String { "\(directory)/haproxy.cfg" }
    var candidatePath: String { "\(directory)/haproxy.cfg.candidate" }
    var pidPath: String { "\(directory)/haproxy.pid" }
    var masterSocket: String { "\(directory)/master.sock" }
    var adminSocket: String { "\(directory)/admin.sock" }
    var serverStatePath: String { "\(directory)/server-state" }
    var certDirectory: String { "\(directory)/certs" }

    /// The master's pid, when it is running.
    var masterPID: pid_t? {
        guard let text = System.readFile(pidPath), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              System.isAlive(pid) else { return nil }
        return pid
    }

    /// `haproxy -c`: nil when valid, else HAProxy's own words.
    func check(_ config: String) throws(DriverError) -> String? {
        try System.writeFile(candidatePath, config)
        defer { unlink(candidatePath) }
        let (status, output) = try System.run(binary, ["-c", "-f", candidatePath])
        guard status != 0 else { return nil }
        let lines = output.split(separator: "\n").map(String.init).filter { $0.contains("[ALERT]") || $0.contains("error") }
        return (lines.isEmpty ? [output] : lines).joined(separator: "\n")
    }

    func start(_ config: String) throws(DriverError) -> pid_t {
        try System.writeFile(configPath, config)
        let (status, output) = try System.launch(binary, ["-W", "-D", "-S", "\(masterSocket),mode,600", "-f", configPath, "-p", pidPath],
                                                 logPath: "\(directory)/haproxy.log")
        guard status == 0 else { throw DriverError(code: 5, "haproxy did not start", details: output) }
        let deadline = System.now() + reloadTimeoutSeconds
        while System.now() < deadline {
            if let pid = masterPID, workerPID() != nil { return pid }
            System.sleep(milliseconds: 20)
        }
        throw DriverError(code: 105, "haproxy started but its worker did not answer on \(adminSocket) within \(Int(reloadTimeoutSeconds)) s")
    }

    /// The current worker's pid from `show info` on the admin socket.
    func workerPID() -> pid_t? {
        guard let info = try? UnixSocket.request(adminSocket, "show info", timeoutSeconds: 2) else { return nil }
        for line in info.split(separator: "\n") where line.hasPrefix("Pid: ") {
            return pid_t(String(line.dropFirst(5)).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// Saves server states, installs the config, asks the master to reload and waits until a new
    /// worker serves. The old worker finishes its connections and exits by itself.
    func reload(_ config: String) throws(DriverError) {
        let old = workerPID()
        if let states = try? UnixSocket.request(adminSocket, "show servers state") {
            try System.writeFile(serverStatePath, states)
        }
        try System.writeFile(configPath, config)
        let deadline = System.now() + reloadTimeoutSeconds
        // The master re-executes itself on every reload and briefly does not accept on its CLI
        // socket; a reload right after another one waits for it.
        try retryingMaster(until: deadline) { () throws(DriverError) in _ = try UnixSocket.request(masterSocket, "reload") }
        while System.now() < deadline {
            if let current = workerPID(), current != old { return }
            System.sleep(milliseconds: 10)
        }
        throw DriverError(code: 105, "haproxy did not bring up a new worker within \(Int(reloadTimeoutSeconds)) s of the reload")
    }

    private func retryingMaster(until deadline: Double, _ body: () throws(DriverError) -> Void) throws(DriverError) {
        while true {
            do {
                try body()
                return
            } catch {
                if System.now() >= deadline { throw error }
                System.sleep(milliseconds: 20)
            }
        }
    }

    /// One runtime API command on the admin socket; HAProxy's error text becomes a DriverError.
    func runtime(_ command: String) throws(DriverError) -> String {
        let reply = try UnixSocket.request(adminSocket, command)
        let trimmed = reply.trimmingCharacters(in: .whitespacesAndNewlines)
        let lowered = trimmed.lowercased()
        if lowered.contains("unknown command") || lowered.contains("not found") || lowered.hasPrefix("require")
            || lowered.contains("error") || lowered.contains("invalid") || lowered.contains("no such")
            || lowered.contains("cannot") || lowered.contains("can't") {
            throw DriverError(code: 5, "haproxy refused `\(command)`", details: trimmed)
        }
        return trimmed
    }

    func stop() {
        if let pid = masterPID {
            kill(pid, SIGUSR1)  // soft stop: workers finish their connections
            let deadline = System.now() + 5
            while System.isAlive(pid) && System.now() < deadline { System.sleep(milliseconds: 20) }
            if System.isAlive(pid) { kill(pid, SIGKILL) }
        }
    }
}
