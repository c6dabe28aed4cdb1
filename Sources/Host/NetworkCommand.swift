import ArgumentParser
import PaddockCore
import PaddockHost

struct NetworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Operate the enabled network drivers.",
        subcommands: [NetworkReconcile.self]
    )
}

struct NetworkReconcile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Bring a network driver's peer state in line with the host's metadata now.",
        discussion: """
            Tells the enabled network driver DRIVER that metadata changed ({"type": \
            "metadata.changed"} through the contract's notify), exactly as the host does when \
            hosts come and go. An overlay driver then adds the entries of new peers and removes \
            those of departed ones (VXLAN: FDB, permanent neighbour and route per peer on its \
            VTEP), touching nothing else. Peer records it cannot use (a malformed agent_ip, a \
            clashing address block) are skipped and listed. Run it inside the host's network \
            namespace. A driver enabled with --isolation process is notified in its worker, \
            as `paddock agent run` does. The table output is one line per change count; \
            --format json prints the driver's answer. Exits 1 when the driver fails, with its \
            error on standard error.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The enabled network driver's name, e.g. vxlan.") var driver: String

    func run() throws {
        let runtime = PluginRuntime(catalog: global.catalog(), logger: global.logger)
        defer { runtime.shutdown() }
        let result: CallResult
        do {
            // In this process or in the plugin's worker (isolation: process), like the agent.
            let handle = try runtime.handle(named: driver)
            guard try runtime.catalog.find(driver).kinds.contains(.network) else {
                throw HostError(.unsupported, "plugin \(driver) is not a network driver", hint: "name an enabled network plugin")
            }
            result = handle.notifyEvent(["type": "metadata.changed"])
        } catch {
            throw fail(error)
        }
        guard result.isSuccess else {
            FileHandleOutput.standardError("paddock: \(driver) failed to reconcile: \(result.errorMessage)")
            if global.format == .json { print(result.body.serialized(pretty: true)) }
            throw ExitCode(1)
        }
        switch global.format {
        case .json:
            print(result.body.serialized(pretty: true))
        case .table:
            let body = result.body
            if body["reconciled"]?.boolValue == false {
                print("\(driver): nothing to reconcile (\(body["reason"]?.stringValue ?? "no network"))")
                return
            }
            let added = body["added"]?.intValue ?? 0, removed = body["removed"]?.intValue ?? 0
            print("\(driver): \(body["peers"]?.intValue ?? 0) peers, \(added) entries added, \(removed) removed")
            for reason in body["skipped"]?.arrayValue ?? [] { print("  skipped: \(reason.stringValue ?? "")") }
        }
    }
}
