import ArgumentParser
import Glibc
import PaddockCore
import PaddockHost
import PaddockPosix
import PaddockVolume

struct FlexVolumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flexvolume",
        abstract: "Be a Kubernetes FlexVolume driver for a storage plugin.",
        discussion: """
            kubelet runs `DIR/VENDOR~DRIVER/DRIVER CALL-OUT ARGS…` and reads one JSON object from its \
            output. `paddock flexvolume install DRIVER --dir DIR` writes that executable for a storage \
            plugin; it runs `paddock flexvolume DRIVER CALL-OUT ARGS…`, which answers every call-out \
            of the protocol: init, getvolumename <json>, attach <json> <node>, detach <volume> <node>, \
            waitforattach <device> <json>, isattached <json> <node>, mountdevice <dir> <device> <json>, \
            unmountdevice <dir>, mount <dir> <json>, unmount <dir>. The answer is \
            {"status": "Success" | "Failure" | "Not supported", "message", …}; init adds \
            {"capabilities": {"attach": BOOL}} from the plugin's storage capabilities.

            The volume is named by the option "volumeName", else kubelet's \
            kubernetes.io/pvOrVolumeName; the other options not under kubernetes.io/ go to the plugin. \
            mount creates the volume when needed, mounts it through the plugin and bind-mounts the \
            plugin's mountpoint onto kubelet's directory; unmount finds the volume by that directory.
            """,
        subcommands: [FlexVolumeInstall.self, FlexVolumeCallout.self],
        defaultSubcommand: FlexVolumeCallout.self
    )
}

struct FlexVolumeCallout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Answer one FlexVolume call-out (what the installed driver runs).",
        discussion: """
            Usage: paddock flexvolume DRIVER CALL-OUT ARGS… (the word `call` may be omitted). \
            Prints exactly one JSON object; exits 1 on Failure. kubelet reads standard output and \
            error together, so nothing else is printed. The host's directories come from \
            $PADDOCK_STATE_DIR, $PADDOCK_PLUGIN_PATH and $PADDOCK_CONFIG_DIR, which the installed \
            driver sets.
            """
    )

    @Argument(help: "The storage plugin's name.") var driver: String
    @Argument(parsing: .captureForPassthrough, help: "The call-out and its arguments, as kubelet passes them.")
    var arguments: [String] = []

    func run() throws {
        // kubelet reads stdout and stderr combined; a log line would make the answer unparseable.
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        if null >= 0 {
            dup2(null, 2)
            close(null)
        }
        let result: FlexVolumeResult
        do {
            let call = try FlexVolumeCall.parse(arguments)
            let global = try GlobalOptions.parse(["--log-level", "error"])
            let drivers = VolumeDrivers(global: global)
            defer { drivers.runtime.shutdown() }
            do {
                result = FlexVolumeAdapter(manager: try drivers.manager(driver)).run(call)
            } catch {
                result = FlexVolumeResult(.failure, message: "\(error)")
            }
        } catch let error as VolumeError {
            result = FlexVolumeResult(error.code == .notSupported ? .notSupported : .failure, message: error.description)
        } catch {
            result = FlexVolumeResult(.failure, message: "\(error)")
        }
        print(result.json.serialized())
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}

struct FlexVolumeInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the FlexVolume driver executable for a storage plugin where kubelet finds it.",
        discussion: """
            Writes DIR/paddock~DRIVER/DRIVER (mode 0755, replaced atomically; kubelet picks it up \
            without a restart). The file is a small sh script that runs this paddock binary by its \
            absolute path with the state directory, plugin path and config directory of this \
            invocation, because kubelet runs drivers with its own environment. Pods then use \
            `flexVolume: {driver: "paddock/DRIVER", options: {volumeName: NAME, …}}`. The plugin \
            must be enabled (`paddock plugin enable DRIVER`).
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The storage plugin's name.") var driver: String
    @Option(help: ArgumentHelp("kubelet's volume plugin directory (--volume-plugin-dir).", valueName: "dir"))
    var dir: String = "/usr/libexec/kubernetes/kubelet-plugins/volume/exec"

    func run() throws {
        let (configuration, explicit) = global.hostConfiguration()
        // Directories named on the plugin path must exist, so pin the explicit ones and the
        // installing user's own plugin directory when it exists; the system ones are always searched.
        let pinned = configuration.pluginPath.filter { explicit.contains($0) || ($0.hasSuffix("/.local/lib/paddock/plugins") && FileSystem.exists($0)) }
        let plugin: DiscoveredPlugin
        do {
            plugin = try PluginCatalog(configuration: configuration).find(driver)
        } catch {
            throw fail(error)
        }
        guard plugin.kinds.contains(.storage) else {
            throw fail(HostError(.invalidInput, "plugin \(driver) is not a storage driver", hint: "`paddock plugin list` shows each plugin's kinds"))
        }
        let executable = (try? FileSystem.realPath(configuration.executable)) ?? configuration.executable
        let installer = FlexVolumeInstaller(
            executable: executable, stateDirectory: configuration.stateDirectory,
            pluginPath: pinned, configDirectory: configuration.configDirectory)
        let path: String
        do {
            path = try installer.install(driver: driver, into: dir)
        } catch {
            throw failVolume(error)
        }
        switch global.format {
        case .json: print(JSONValue.object(["driver": .string(driver), "path": .string(path)]).serialized(pretty: true))
        case .table: print("Installed the FlexVolume driver for \(driver) at \(path) (pods use driver \"paddock/\(driver)\").")
        }
    }
}
