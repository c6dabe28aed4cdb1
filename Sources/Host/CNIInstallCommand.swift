import ArgumentParser
import PaddockCNI
import PaddockCore
import PaddockHost
import PaddockPosix
import Glibc

struct CNIGroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cni",
        abstract: "Use Paddock network drivers from CNI runtimes (podman, containerd, CRI-O, kubelet).",
        discussion: """
            `paddock cni install --dir DIR` puts a CNI plugin binary named `paddock` into DIR. A \
            network configuration entry of type "paddock" names an enabled Paddock network driver \
            in "driver"; every other key of the entry reaches the driver as its request's "config":

              {"cniVersion": "1.0.0", "name": "web", "plugins": [
                {"type": "paddock", "driver": "vxlan", "subnet": "198.19.0.0/16"}]}

            The binary speaks CNI 1.0.0 and 1.1.0 (ADD, DEL, CHECK, STATUS, GC, VERSION) and loads \
            the driver with the host's loader, state and key-value store: forwarded to a running \
            `paddock cni serve` (drivers stay loaded), or in its own process when none runs. It \
            finds the host through DIR/paddock.paths, written by install from this command's \
            --plugin-path, --state-dir and --config-dir (or their defaults).
            """,
        subcommands: [CNIInstall.self, CNIServe.self]
    )
}

struct CNIInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the `paddock` CNI plugin binary into a CNI plugin directory.",
        discussion: """
            Puts into DIR (created if missing; files replaced atomically): `paddock`, the plugin \
            runtimes execute (paddock-cni-shim: a small C program that forwards each invocation \
            to `paddock cni serve` through DIR/paddock.sock); `paddock-cni`, which it execs when \
            no server listens (the whole adapter in one process); `paddock.sock`, a symlink to \
            <state-dir>/cni.sock; and `paddock.paths`, a JSON file with the plugin path, state \
            directory, config directory and the paddock executable, so both use the same host as \
            this command. Without the shim (--binary, or none built), DIR/paddock is paddock-cni \
            itself. Point the runtime's CNI plugin directories (podman: cni_plugin_dirs in \
            containers.conf; kubelet/containerd: bin_dir) at DIR, and enable the driver first \
            with `paddock plugin enable NAME`.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("dir"), help: ArgumentHelp("The CNI plugin directory to install into (created if missing).", valueName: "dir"))
    var directory: String

    @Option(name: .customLong("binary"), help: ArgumentHelp("The CNI plugin executable to install (default: paddock-cni beside this paddock).", valueName: "path"))
    var binary: String?

    func validate() throws {
        guard directory.hasPrefix("/") else { throw ValidationError("--dir must be an absolute path (CNI runtimes use absolute plugin directories)") }
    }

    func run() throws {
        let (configuration, explicit) = global.hostConfiguration()
        let source = binary ?? AtomicFile.parentDirectoryPath(of: configuration.executable) + "/paddock-cni"
        guard FileSystem.exists(source) else {
            throw fail(HostError(.notFound, "the CNI plugin executable \(source) does not exist",
                                 hint: "build it with `swift build --product paddock-cni`, or pass --binary PATH"))
        }
        let shim = AtomicFile.parentDirectoryPath(of: configuration.executable) + "/paddock-cni-shim"
        let useShim = binary == nil && FileSystem.exists(shim)
        let target = "\(directory)/paddock"
        let pathsFile = "\(directory)/\(CNIHostPaths.fileName)"
        let socketLink = "\(directory)/paddock.sock"
        // Only the directories given explicitly are recorded; the binary adds the default ones.
        let paths = CNIHostPaths(pluginPath: configuration.pluginPath.filter(explicit.contains), stateDirectory: configuration.stateDirectory,
                                 configDirectory: configuration.configDirectory, executable: configuration.executable)
        do {
            try FileSystem.makeDirectories(directory)
            if useShim {
                try AtomicFile.copy(source, to: "\(directory)/paddock-cni", mode: 0o755)
                try AtomicFile.copy(shim, to: target, mode: 0o755)
            } else {
                try AtomicFile.copy(source, to: target, mode: 0o755)
            }
            try AtomicFile.write(Array((paths.document.serialized(pretty: true) + "\n").utf8), to: pathsFile, mode: 0o644)
            unlink(socketLink)
            guard symlink("\(configuration.stateDirectory)/cni.sock", socketLink) == 0 else { throw SystemError("symlink", path: socketLink) }
        } catch {
            throw fail(HostError(.io, "cannot install the CNI plugin into \(directory): \(error)",
                                 hint: "check that the directory is writable by you"))
        }
        if global.format == .json {
            print(JSONValue.object(["binary": .string(target), "forwarding": .bool(useShim), "paths": .string(pathsFile),
                                    "socket": .string("\(configuration.stateDirectory)/cni.sock"), "host": paths.document]).serialized(pretty: true))
        } else {
            print("Installed CNI plugin \(target) (type \"paddock\")\(useShim ? ", forwarding to `paddock cni serve` on \(configuration.stateDirectory)/cni.sock when it runs" : "").")
            print("Host paths in \(pathsFile): state \(configuration.stateDirectory), plugins \(configuration.pluginPath.joined(separator: ":")).")
        }
    }
}
