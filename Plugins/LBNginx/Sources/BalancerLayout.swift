/// Where one balancer's files live: its own nginx prefix under run_dir/<name>/, so nginx never
/// touches /var/log/nginx, /var/lib/nginx or /run.
struct BalancerLayout {
    let name: String
    let runDirectory: String

    var root: String { "\(runDirectory)/\(name)" }
    var configFile: String { "\(root)/nginx.conf" }
    /// The config being checked with `nginx -t` before it replaces `configFile`.
    var candidateFile: String { "\(root)/nginx.conf.candidate" }
    /// The running config, kept while a reload is in flight so a refused reload can restore it.
    var previousFile: String { "\(root)/nginx.conf.previous" }
    var pidFile: String { "\(root)/nginx.pid" }
    var logDirectory: String { "\(root)/logs" }
    var errorLog: String { "\(logDirectory)/error.log" }
    var accessLog: String { "\(logDirectory)/access.log" }
    /// What the last nginx command (-t, start) printed.
    var commandLog: String { "\(logDirectory)/nginx-command.log" }
    var tempDirectory: String { "\(root)/temp" }
    var certificateDirectory: String { "\(root)/certs" }
    /// What the last successful apply configured: backends, servers, passive-health settings.
    var statusFile: String { "\(root)/balancer.json" }
    /// The last applied request, replayed when the host says metadata changed.
    var requestFile: String { "\(root)/request.json" }
    /// One lock for the whole run_dir, never deleted (deleting a lock file someone waits on would
    /// let the next process lock a fresh file beside them).
    var lockFile: String { "\(runDirectory)/.lock" }

    var exists: Bool { Files.exists(configFile) }

    func prepare() throws(Files.Failure) {
        try Files.makeDirectories(logDirectory)
        try Files.makeDirectories(tempDirectory)
        try Files.makeDirectories(certificateDirectory, mode: 0o700)
    }

    func certificateFile(_ fingerprint: String) -> String { "\(certificateDirectory)/\(fingerprint).crt" }
    func keyFile(_ fingerprint: String) -> String { "\(certificateDirectory)/\(fingerprint).key" }
}
