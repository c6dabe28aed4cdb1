import Glibc
import PaddockPluginKit

/// nginx commands for one balancer: check a candidate, start, reload by SIGHUP, stop. Every
/// failure is a DriverError that names the balancer and says what to do.
struct NginxRunner {
    let binary: String
    let layout: BalancerLayout

    static let commandTimeout = 15.0
    static let reloadTimeout = 15.0
    static let stopTimeout = 10.0

    var label: String { "balancer \"\(layout.name)\"" }

    /// `nginx -t -p PREFIX -c FILE`: whether nginx accepts the file, and what it printed.
    func check(_ file: String) throws(DriverError) -> (accepted: Bool, output: String) {
        let (exit, output) = try run(["-t", "-p", layout.root + "/", "-c", file])
        if exit.timedOut { throw .internalError("\(label): nginx -t did not finish in \(Int(Self.commandTimeout)) s") }
        return (exit.code == 0, output)
    }

    /// The master's pid when this balancer's nginx runs.
    func runningMaster() -> pid_t? {
        guard let text = Files.readText(layout.pidFile),
              let pid = pid_t(text.trimmingCharacters(in: " \n")), ProcessControl.isAlive(pid) else { return nil }
        // A recycled pid belongs to someone else: nginx titles its master with our config path
        // (the title can be cut short when nginx had little room for it; then its binary tells).
        let title = ProcessControl.commandLine(pid)
        guard title.contains("nginx: master process"),
              title.contains(layout.configFile) || ProcessControl.executable(pid) == ProcessControl.realPath(binary) else { return nil }
        return pid
    }

    /// Starts nginx on `configFile` (it daemonizes) and waits for its pid file.
    func start() throws(DriverError) -> pid_t {
        Files.remove(layout.pidFile)
        let (exit, output) = try run(["-p", layout.root + "/", "-c", layout.configFile])
        guard exit.code == 0 else {
            var said: [String] = []
            for problem in NginxMessages.problems(output) where !said.contains(problem) { said.append(problem) }
            throw .invalidConfig("\(label): nginx did not start: \(said.isEmpty ? output.trimmingCharacters(in: " \n") : said.joined(separator: "; "))",
                                 details: "a port in use by another program is the usual cause; nothing runs for this balancer")
        }
        var master: pid_t?
        ProcessControl.poll(timeout: 5) {
            master = runningMaster()
            return master != nil
        }
        guard let master else {
            throw .internalError("\(label): nginx started but no master is running after 5 s; see \(layout.errorLog)")
        }
        return master
    }

    /// SIGHUP: nginx re-reads `configFile`, starts new workers and gracefully stops the old ones;
    /// on a config it cannot load it keeps the old one. Returns when the new workers serve and the
    /// old ones have stopped accepting, or throws with nginx's reason.
    func reload(_ master: pid_t) throws(DriverError) {
        let offset = Files.size(layout.errorLog)
        let oldWorkers = ProcessControl.children(of: master)
        guard kill(master, SIGHUP) == 0 else {
            throw .internalError("\(label): cannot signal nginx master \(master): \(String(cString: strerror(errno)))")
        }
        var outcome: Result<Void, DriverError>?
        ProcessControl.poll(timeout: Self.reloadTimeout) {
            let log = Files.read(layout.errorLog, from: offset)
            // Only the master's lines: an old worker's parting alert does not fail the reload.
            let problems = NginxMessages.problems(log, pid: master)
            if !problems.isEmpty {
                outcome = .failure(.invalidConfig("\(label): nginx refused the reload and keeps the previous config: \(problems.joined(separator: "; "))",
                                                  details: "a port in use by another program is the usual cause; nothing changed"))
                return true
            }
            if log.contains("start worker processes") {
                outcome = .success(())
                return true
            }
            if !ProcessControl.isAlive(master) {
                outcome = .failure(.internalError("\(label): nginx master \(master) exited during the reload; see \(layout.errorLog)"))
                return true
            }
            return false
        }
        switch outcome {
        case .failure(let error): throw error
        case .none: throw .internalError("\(label): nginx did not confirm the reload within \(Int(Self.reloadTimeout)) s; see \(layout.errorLog)")
        case .success: break
        }
        // Old workers close their listening sockets as soon as they see the QUIT the master sends;
        // until then they could still accept a connection and serve it with the old config.
        ProcessControl.poll(timeout: Self.reloadTimeout) {
            oldWorkers.allSatisfy { !ProcessControl.isAlive($0) || ProcessControl.commandLine($0).contains("shutting down") }
        }
    }

    /// QUIT (finish what is in flight), then KILL after `stopTimeout`; workers too.
    func stop(_ master: pid_t) {
        let workers = ProcessControl.children(of: master)
        kill(master, SIGQUIT)
        let stopped = ProcessControl.poll(timeout: Self.stopTimeout) {
            !ProcessControl.isAlive(master) && workers.allSatisfy { !ProcessControl.isAlive($0) }
        }
        if !stopped {
            for pid in ProcessControl.children(of: master) + workers + [master] where ProcessControl.isAlive(pid) {
                kill(pid, SIGKILL)
            }
            ProcessControl.poll(timeout: 2) { !ProcessControl.isAlive(master) }
        }
    }

    private func run(_ arguments: [String]) throws(DriverError) -> (exit: ProcessControl.Exit, output: String) {
        do {
            return try ProcessControl.run(binary, arguments, outputFile: layout.commandLog, timeout: Self.commandTimeout)
        } catch {
            throw .io("\(label): cannot run \(binary): \(error)", details: "check the \"nginx\" path in the enable config")
        }
    }
}

/// Reading what nginx prints and logs.
enum NginxMessages {
    /// The [emerg], [alert] and [crit] messages, without the "nginx: " and timestamp prefixes.
    static func problems(_ text: String, pid: pid_t? = nil) -> [String] {
        text.split(separator: "\n").compactMap { line -> String? in
            if let pid, !line.contains(" \(pid)#") { return nil }
            for level in ["[emerg]", "[alert]", "[crit]"] {
                guard let range = line.firstRange(of: level) else { continue }
                var message = line[range.upperBound...].trimmingCharacters(in: " ")
                // "12#12: " pid prefix of log lines.
                if let colon = message.firstIndex(of: ":"), message[..<colon].allSatisfy({ $0.isNumber || $0 == "#" }) {
                    message = message[message.index(after: colon)...].trimmingCharacters(in: " ")
                }
                return message
            }
            return nil
        }
    }

    /// The [warn] messages of `nginx -t` (e.g. a conflicting server name).
    static func warnings(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.firstRange(of: "[warn]") else { return nil }
            return line[range.upperBound...].trimmingCharacters(in: " ")
        }
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
