import ArgumentParser
import Glibc
import PaddockCore
import PaddockHost
import PaddockPosix

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("plugin-path"),
            help: ArgumentHelp("Colon-separated plugin directories searched first (default: $PADDOCK_PLUGIN_PATH).", valueName: "dirs"))
    var pluginPath: String?

    @Option(name: .customLong("state-dir"),
            help: ArgumentHelp("Directory holding Paddock's state (default: $PADDOCK_STATE_DIR, else /var/lib/paddock for root, ~/.local/state/paddock otherwise).", valueName: "dir"))
    var stateDir: String?

    @Option(help: "Output format: table for people, json for scripts.")
    var format: OutputFormat = .table

    @Option(name: .customLong("log-level"), help: "Log level: error, warning, info, debug or trace.")
    var logLevel: String = "warning"

    @Option(name: .customLong("probe-timeout"), help: "Seconds a plugin may take to load in the probe process.")
    var probeTimeout: Double = 10

    @Option(name: .customLong("config-dir"),
            help: ArgumentHelp("Directory with paddock.json settings and trusted keys in keys/ (default: $PADDOCK_CONFIG_DIR, else /etc/paddock for root, ~/.config/paddock otherwise).", valueName: "dir"))
    var configDir: String?

    @Flag(name: .customLong("safe-mode"), help: "Load only plugins shipped with Paddock; third-party ones show as skipped.")
    var safeMode = false

    @Flag(name: .customLong("require-signatures"), help: "Refuse plugins without a valid signature by a trusted key.")
    var requireSignatures = false

    func validate() throws {
        guard LogLevel(name: logLevel) != nil else {
            throw ValidationError("unknown log level \"\(logLevel)\"; use error, warning, info, debug or trace")
        }
        guard probeTimeout > 0 else { throw ValidationError("--probe-timeout must be positive") }
    }

    /// The composition root: every command wires the host from here.
    func hostConfiguration() -> (HostConfiguration, Set<String>) {
        let environment = HostConfiguration.trustedEnvironment(
            ChildProcess.currentEnvironment(), secure: ProcessSecurity.isSecureExecution)
        let uid = FileSystem.currentUID()
        let path = HostConfiguration.pluginPath(flag: pluginPath, environment: environment, uid: uid)
        let explicit = Set((pluginPath ?? environment["PADDOCK_PLUGIN_PATH"] ?? "").split(separator: ":").map(String.init))
        let configDirectory = HostConfiguration.configDirectory(flag: configDir, environment: environment, uid: uid)
        var settings: HostSettings
        do {
            settings = try HostSettings.load(configDirectory: configDirectory)
        } catch {
            // Fail closed: a settings file we cannot read might have demanded the strict policy.
            FileHandleOutput.standardError("paddock: \(error.description)\n  (running with safe mode and required signatures until it is fixed)")
            settings = HostSettings(requireSignatures: true, safeMode: true)
        }
        settings.safeMode = settings.safeMode || safeMode
        settings.requireSignatures = settings.requireSignatures || requireSignatures
        let configuration = HostConfiguration(
            pluginPath: path,
            stateDirectory: HostConfiguration.stateDirectory(flag: stateDir, environment: environment, uid: uid),
            executable: ChildProcess.currentExecutable(),
            probeTimeoutSeconds: probeTimeout,
            logLevel: LogLevel(name: logLevel) ?? .warning,
            configDirectory: configDirectory,
            settings: settings)
        return (configuration, explicit)
    }

    func catalog() -> PluginCatalog {
        let (configuration, explicit) = hostConfiguration()
        return PluginCatalog(configuration: configuration, explicitDirectories: explicit)
    }

    var logger: Logger { Logger(level: LogLevel(name: logLevel) ?? .warning) }
}

/// Prints a host error the way operators read it and exits non-zero.
func fail(_ error: any Error) -> ExitCode {
    let text: String
    if let error = error as? HostError {
        text = error.description
    } else {
        text = "\(error)"
    }
    FileHandleOutput.standardError("paddock: " + text)
    if let error = error as? HostError, error.code == .unusablePath { return ExitCode(2) }
    return ExitCode(1)
}

enum FileHandleOutput {
    static func standardError(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }
}
