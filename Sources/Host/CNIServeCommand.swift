import ArgumentParser
import Foundation
import PaddockCNI
import PaddockCNIHost
import PaddockCore
import PaddockHost
import PaddockPosix

struct CNIServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer the installed CNI plugin's invocations from this process, with drivers kept loaded.",
        discussion: """
            Listens on a Unix socket (default: <state-dir>/cni.sock, mode 0600) and runs each CNI \
            invocation the `paddock` CNI binary forwards to it — the same protocol checks and \
            drivers as the binary alone, without starting Swift, Foundation and the driver for \
            every ADD and DEL. `paddock cni install` links DIR/paddock.sock to this socket; while \
            nothing listens there, the binary does the work in its own process. Run it in the \
            network namespace the runtime runs plugins in. It prints one line per invocation \
            (command, container, interface, exit status) and runs until killed.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("socket"), help: ArgumentHelp("The socket to listen on (default: <state-dir>/cni.sock).", valueName: "path"))
    var socket: String?

    func run() throws {
        let (configuration, explicit) = global.hostConfiguration()
        let paths = CNIHostPaths(pluginPath: configuration.pluginPath.filter(explicit.contains), stateDirectory: configuration.stateDirectory,
                                 configDirectory: configuration.configDirectory, executable: configuration.executable)
        let adapter = CNIAdapter(gateway: HostDriverGateway(paths: { () throws(CNIError) in paths }))
        let path = socket ?? "\(configuration.stateDirectory)/cni.sock"
        let listener: UnixListener
        do {
            try FileSystem.makeDirectories(AtomicFile.parentDirectoryPath(of: path))
            listener = try UnixListener(path: path)
        } catch {
            throw fail(HostError(.io, "cannot listen on \(path): \(error)", hint: "pick another --socket or check the directory"))
        }
        let ready = "paddock cni serve: listening on \(path)\n"
        _ = ready.withCString { write(1, $0, strlen($0)) }
        while true {
            let channel: SocketChannel
            do {
                channel = try listener.accept()
            } catch {
                throw fail(HostError(.io, "accept on \(path) failed: \(error)"))
            }
            Thread.detachNewThread { CNIServe.answer(channel, adapter) }
        }
    }

    /// One forwarded invocation: variables frame, stdin frame → status byte + stdout.
    static func answer(_ channel: SocketChannel, _ adapter: CNIAdapter) {
        defer { channel.close() }
        guard let variables = try? channel.receive(timeoutSeconds: 30), let stdin = try? channel.receive(timeoutSeconds: 30) else { return }
        var environment: [String: String] = [:]
        for entry in variables.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let equals = text.firstIndex(of: "="), text.hasPrefix("CNI_") else { continue }
            environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        let outcome = adapter.run(environment: environment, stdin: stdin)
        try? channel.send([UInt8(truncatingIfNeeded: outcome.exitStatus)] + Array(outcome.stdout.utf8))
        let line = "\(environment["CNI_COMMAND"] ?? "-") \(environment["CNI_CONTAINERID"] ?? "-") \(environment["CNI_IFNAME"] ?? "-") exit \(outcome.exitStatus)\n"
        _ = line.withCString { write(1, $0, strlen($0)) }
    }
}
