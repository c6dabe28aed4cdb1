import ArgumentParser
import PaddockCore
import PaddockHost

struct LBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lb",
        abstract: "Apply, inspect and remove load balancers run by an lb driver.",
        discussion: """
            A balancer file is a rancher-compose.yml whose service has lb_config (and health_check), \
            or the payload itself, in YAML or JSON: {"name": "web", "lb_config": \
            {"port_rules": [{"source_port": 8080, "protocol": "http", "hostname": "*.example", \
            "path": "/api", "priority": 1, "service": "web" | "targets": ["ip:port"], \
            "target_port": 80, "backend_name": "..."}], "certs": [...], "default_cert": "...", \
            "stickiness_policy": {...}, "config": "..."}, "health_check": {"port", "interval", \
            "healthy_threshold", "unhealthy_threshold", "response_timeout", "request_line"}}. \
            `service` names resolve through the host's metadata.
            """,
        subcommands: [LBApply.self, LBStatus.self, LBRemove.self]
    )
}

struct LBApply: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create or change a load balancer from a file.",
        discussion: """
            The driver checks the new config before touching anything running (HAProxy: haproxy -c; \
            nginx: nginx -t); a rejected config leaves the running balancer serving and the error \
            names the offending rule. Changes that only touch backend servers go through the \
            driver's runtime API without a reload where the driver can.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The balancer file: rancher-compose.yml or the payload, YAML or JSON.") var file: String
    @Option(help: "The enabled lb driver to run it (e.g. haproxy, nginx).") var driver: String
    @Option(help: "The balancer's name (overrides \"name\"; picks the service in a rancher-compose.yml).") var name: String?

    func run() throws {
        let runtime = PluginRuntime(catalog: global.catalog(), logger: global.logger)
        defer { runtime.shutdown() }
        let result: CallResult
        do {
            result = try Balancers(runtime: runtime).apply(try Balancers.load(file: file, name: name), driver: driver)
        } catch {
            throw fail(error)
        }
        guard result.isSuccess else {
            FileHandleOutput.standardError("paddock: \(result.errorMessage)")
            if global.format == .json { print(result.body.serialized(pretty: true)) }
            throw ExitCode(1)
        }
        switch global.format {
        case .json: print(result.body.serialized(pretty: true))
        case .table: print("Applied \(result.body["name"]?.stringValue ?? "") with \(driver): \(result.body["applied"]?.stringValue ?? "done").")
        }
    }
}

struct LBStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a balancer's backend servers and their health.",
        discussion: """
            One row per backend server: backend, server, address, state (UP, DOWN, MAINT or INIT — \
            a server coming back is INIT before UP) and the last check result. Drivers with passive \
            health only (nginx open source) say so in the CHECK column rather than invent results.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The balancer's name.") var name: String

    func run() throws {
        let runtime = PluginRuntime(catalog: global.catalog(), logger: global.logger)
        defer { runtime.shutdown() }
        let result: CallResult
        do {
            result = try Balancers(runtime: runtime).status(name)
        } catch {
            throw fail(error)
        }
        guard result.isSuccess else {
            FileHandleOutput.standardError("paddock: \(result.errorMessage)")
            throw ExitCode(1)
        }
        switch global.format {
        case .json:
            print(result.body.serialized(pretty: true))
        case .table:
            let rows = (result.body["servers"]?.arrayValue ?? []).map { server in
                ["backend", "server", "address", "state", "check"].map { server[$0]?.stringValue ?? "" }
            }
            print(TextTable(headers: ["BACKEND", "SERVER", "ADDRESS", "STATE", "CHECK"], rows: rows).render())
            if let health = result.body["health"]?.stringValue { print("\nhealth checks: \(health)") }
        }
    }
}

struct LBRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Stop a balancer and forget it.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The balancer's name.") var name: String

    func run() throws {
        let runtime = PluginRuntime(catalog: global.catalog(), logger: global.logger)
        defer { runtime.shutdown() }
        do {
            let result = try Balancers(runtime: runtime).remove(name)
            guard result.isSuccess else {
                FileHandleOutput.standardError("paddock: \(result.errorMessage)")
                throw ExitCode(1)
            }
            print(global.format == .json ? JSONValue.object(["removed": .string(name)]).serialized() : "Removed \(name).")
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail(error)
        }
    }
}
