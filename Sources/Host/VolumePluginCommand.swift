import ArgumentParser
import Glibc
import PaddockCore
import PaddockHost
import PaddockPosix
import PaddockVolume

struct VolumePluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume-plugin",
        abstract: "Serve a storage plugin to Docker as a volume plugin.",
        subcommands: [VolumePluginServe.self]
    )
}

struct VolumePluginServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer Docker's volume-plugin protocol for a storage plugin on a unix socket.",
        discussion: """
            dockerd finds volume plugins by their socket: /run/docker/plugins/NAME.sock makes \
            `docker volume create -d NAME` and `docker run -v VOL:/data` use this server. The \
            protocol is HTTP/1.1 POST with JSON bodies: /Plugin.Activate, /VolumeDriver.Create, \
            .Remove, .Mount, .Unmount, .Path, .Get, .List and .Capabilities; errors come back as \
            {"Err": "…"}. Docker mounts once per container start with the container's ID; the server \
            counts mounts by ID and records every volume and mount under the state directory \
            (volumes/DRIVER/), so a restarted server loses nothing. Options of `docker volume create \
            -o` that the plugin does not declare are refused by name.

            The socket is created with mode 0660. SIGTERM or SIGINT stops the server: the socket is \
            removed first, running requests finish, and the process exits 0.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The storage plugin's name (enabled with `paddock plugin enable`).") var driver: String
    @Option(help: ArgumentHelp("The socket path (default: /run/docker/plugins/paddock-DRIVER.sock).", valueName: "path"))
    var socket: String?

    func run() throws {
        let stop: Int32
        do {
            stop = try TerminationSignals.descriptor()
        } catch {
            throw fail(error)
        }
        let drivers = VolumeDrivers(global: global)
        defer { drivers.runtime.shutdown() }
        let path = socket ?? "/run/docker/plugins/paddock-\(driver).sock"
        let server: VolumePluginServer
        do {
            let manager = try drivers.manager(driver)
            _ = try manager.driver.capabilities()
            server = try VolumePluginServer(api: DockerVolumeAPI(manager: manager), socketPath: path)
        } catch let error as VolumeError {
            throw failVolume(error)
        } catch let error as SystemError where error.errno == EADDRINUSE {
            throw fail(HostError(.inUse, "another server answers on \(path)", hint: "stop it, or pass another --socket"))
        } catch {
            throw fail(error)
        }
        FileHandleOutput.standardError("paddock: serving storage plugin \(driver) to Docker on \(path)")
        server.run(stopDescriptor: stop)
        FileHandleOutput.standardError("paddock: stopped; \(path) removed")
    }
}
