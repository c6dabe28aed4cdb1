import ArgumentParser
import PaddockCore
import PaddockHost
import PaddockPosix

struct PluginEnable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Validate a config, probe the plugin and record it as enabled.",
        discussion: """
            The config (a JSON object; {} when --config is not given) is checked against the \
            plugin's config schema first; every violation is listed. The plugin is then loaded in a \
            child process with a timeout: a plugin that crashes, aborts, exits or hangs is reported \
            with the signal or the timeout and stays not enabled (`plugin list` shows the reason).
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The plugin's name.") var name: String
    @Option(help: ArgumentHelp("A JSON file with the plugin's config.", valueName: "file")) var config: String?
    @Option(help: ArgumentHelp("How the plugin runs: in-process (default), or process — in a worker process of its own, so a crash fails only the call. A top-level \"isolation\" key in the config file does the same.", valueName: "mode"))
    var isolation: String?

    func validate() throws {
        if let isolation, Isolation(rawValue: isolation) == nil {
            throw ValidationError("--isolation must be in-process or process")
        }
    }

    func run() throws {
        do {
            var value: JSONValue?
            if let config {
                let bytes: [UInt8]
                do {
                    bytes = try FileSystem.read(config, limit: 16 << 20)
                } catch {
                    throw HostError(.invalidConfig, "cannot read config file: \(error)")
                }
                do {
                    value = try JSONValue(parsing: bytes)
                } catch {
                    throw HostError(.invalidConfig, "config file \(config) is not JSON: \(error)")
                }
            }
            let description = try global.catalog().enable(name, config: value, configSource: config ?? "the default {}",
                                                          isolation: isolation.flatMap(Isolation.init(rawValue:)))
            switch global.format {
            case .json: print(JSONValue.object(["enabled": .string(name), "plugin": description]).serialized(pretty: true))
            case .table: print("Enabled \(name) (ABI \(description["abi"]?.stringValue ?? "?")).")
            }
        } catch {
            throw fail(error)
        }
    }
}

struct PluginDisable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Stop using a plugin.",
        discussion: """
            Refused while something uses the plugin (volumes, balancers, networks it serves) unless \
            --force. The file stays installed; disabled plugins are never loaded.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The plugin's name.") var name: String
    @Flag(help: "Disable even while the plugin is in use.") var force = false

    func run() throws {
        do {
            try global.catalog().disable(name, force: force)
            print(global.format == .json ? JSONValue.object(["disabled": .string(name)]).serialized() : "Disabled \(name).")
        } catch {
            throw fail(error)
        }
    }
}

struct PluginInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Check a plugin file and copy it into the first writable plugin directory.",
        discussion: """
            The file is read and probed in a child process first; only a plugin that loads is \
            installed. The copy is atomic (temporary file, fsync, rename): the plugin directory \
            never holds a partial file. The plugin is installed disabled.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Path of the .so file to install.") var path: String

    func run() throws {
        do {
            let destination = try global.catalog().install(path)
            print(global.format == .json ? JSONValue.object(["installed": .string(destination)]).serialized() : "Installed \(destination).")
        } catch {
            throw fail(error)
        }
    }
}

struct PluginRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Delete a plugin's file and forget its state.",
        discussion: "An enabled plugin must be disabled first unless --force is given."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The plugin's name.") var name: String
    @Flag(help: "Remove even when enabled.") var force = false

    func run() throws {
        do {
            try global.catalog().remove(name, force: force)
            print(global.format == .json ? JSONValue.object(["removed": .string(name)]).serialized() : "Removed \(name).")
        } catch {
            throw fail(error)
        }
    }
}

struct PluginInvoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Call one contract operation of an enabled plugin with a JSON request.",
        discussion: """
            OPERATION is KIND.OP, e.g. storage.create or network.add. The request is the JSON \
            argument, or standard input when it is "-" (default {}). Prints the result (or the \
            error document) as JSON; exits 1 with the plugin's status on failure. Meant for driver \
            authors and scripts; the adapters (CNI, FlexVolume, volume plugin) call the same way.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The plugin's name.") var name: String
    @Argument(help: "KIND.OP, e.g. storage.create.") var operation: String
    @Argument(help: "The JSON request, or - for standard input.") var request: String = "{}"

    func run() throws {
        let parts = operation.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = PluginKind(rawValue: parts[0]) else {
            throw ValidationError("operation must be KIND.OP with KIND one of network, lb, storage, orchestrator")
        }
        guard kind.operations.contains(parts[1]) else {
            throw ValidationError("\(kind.rawValue) has no operation \(parts[1]); it has \(kind.operations.joined(separator: ", "))")
        }
        let bytes: [UInt8]
        if request == "-" {
            var input: [UInt8] = []
            while let line = readLine(strippingNewline: false) { input += Array(line.utf8) }
            bytes = input
        } else {
            bytes = Array(request.utf8)
        }
        let runtime = PluginRuntime(catalog: global.catalog(), logger: global.logger)
        defer { runtime.shutdown() }
        let result: CallResult
        do {
            result = try runtime.handle(named: name).call(kind, parts[1], request: bytes)
        } catch {
            throw fail(error)
        }
        print(result.body.serialized(pretty: global.format == .table))
        if !result.isSuccess { throw ExitCode(1) }
    }
}

/// The worker of an out-of-process plugin; not for people.
struct PluginWorkerChild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "__worker", abstract: "Serve one plugin over descriptor 3 (internal).", shouldDisplay: false)

    @Argument var path: String
    @Option var name: String
    @Option(name: .customLong("state-dir")) var stateDir: String
    @Option(name: .customLong("log-level")) var logLevel: String = "warning"

    func run() throws {
        let code = WorkerServer.run(path: path, name: name, stateDirectory: stateDir,
                                    logger: Logger(level: LogLevel(name: logLevel) ?? .warning),
                                    metadata: PluginWorkerChild.metadata(stateDirectory: stateDir))
        if code != 0 { throw ExitCode(code) }
    }
}

extension PluginWorkerChild {
    /// The metadata store paddock.json names (the parent passes its config directory in the
    /// environment); the local file when the settings cannot be read.
    static func metadata(stateDirectory: String) -> MetadataSource {
        let environment = HostConfiguration.trustedEnvironment(ChildProcess.currentEnvironment(),
                                                               secure: ProcessSecurity.isSecureExecution)
        let directory = HostConfiguration.configDirectory(flag: nil, environment: environment, uid: FileSystem.currentUID())
        let settings = (try? HostSettings.load(configDirectory: directory)) ?? HostSettings()
        return MetadataSource.configured(HostConfiguration(pluginPath: [], stateDirectory: stateDirectory, executable: "",
                                                           configDirectory: directory, settings: settings))
    }
}

/// The child side of a probe; not for people.
struct PluginProbeChild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "__probe", abstract: "Load a plugin in this process and report (internal).",
        shouldDisplay: false)

    @Argument var path: String

    func run() throws {
        let code = ProbeAgent.run(path: path)
        if code != 0 { throw ExitCode(code) }
    }
}
