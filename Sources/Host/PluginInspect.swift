import ArgumentParser
import PaddockCore
import PaddockHost

struct PluginInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a plugin's manifest, config schema, build fingerprint and contract versions.",
        discussion: """
            Reads the manifest embedded in the plugin file without running it. For an enabled \
            plugin it also shows a runtime section: the running driver's own answer (a network \
            driver's status, e.g. which IPsec data path is active; a storage or load-balancer \
            driver's capabilities). With --probe, also \
            loads the plugin in a child process and reports the negotiated ABI version, the kind \
            tables' versions and which operations the plugin implements.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The plugin's name, as `paddock plugin list` shows it.")
    var name: String

    @Flag(help: "Load the plugin in a child process and report the negotiation.")
    var probe = false

    func run() throws {
        let catalog = global.catalog()
        var report: [String: JSONValue]
        do {
            let plugin = try catalog.find(name)
            let status = try catalog.list().first { $0.path == plugin.path } ?? plugin
            report = [
                "name": .string(plugin.name), "path": .string(plugin.path),
                "status": .string(status.status.rawValue), "reason": .string(status.reason),
                "manifest": plugin.manifest?.document ?? .null,
                "build": .object((plugin.file?.fingerprint.entries ?? [:]).mapValues { .string($0) }),
                "host_build": .object(BuildFingerprint.host.entries.mapValues { .string($0) }),
                "needed": .array((plugin.file?.neededLibraries ?? []).map { .string($0) }),
                "host_abi": .object(["min": .string(ABIVersion.hostMinimum.description), "max": .string(ABIVersion.hostCurrent.description)]),
            ]
            if status.status == .enabled,
               let runtime = PluginInspectRuntime.query(catalog, name: plugin.name, kinds: plugin.kinds) {
                report["runtime"] = runtime
            }
            if probe {
                switch catalog.prober.probe(path: plugin.path) {
                case .loaded(let description): report["probe"] = .object(["ok": true, "plugin": description])
                case .failed(let reason): report["probe"] = .object(["ok": false, "error": .string(reason)])
                }
            }
        } catch {
            throw fail(error)
        }
        switch global.format {
        case .json:
            print(JSONValue.object(report).serialized(pretty: true))
        case .table:
            print(Self.human(report))
        }
        if let probe = report["probe"], probe["ok"]?.boolValue == false { throw ExitCode(1) }
    }

    static func human(_ report: [String: JSONValue]) -> String {
        var lines: [String] = []
        let manifest = report["manifest"] ?? .null
        func field(_ label: String, _ value: String) { lines.append(label.padding(toLength: 15) + value) }
        field("Name:", report["name"]?.stringValue ?? "")
        field("Path:", report["path"]?.stringValue ?? "")
        let reason = report["reason"]?.stringValue ?? ""
        field("Status:", (report["status"]?.stringValue ?? "") + (reason.isEmpty ? "" : " — \(reason)"))
        if !manifest.isNull {
            field("Version:", manifest["version"]?.stringValue ?? "")
            field("Kinds:", (manifest["kinds"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", "))
            field("ABI:", "\(manifest["abi"]?.stringValue ?? "") (host speaks \(report["host_abi"]?["min"]?.stringValue ?? "")–\(report["host_abi"]?["max"]?.stringValue ?? ""))")
            field("Description:", manifest["description"]?.stringValue ?? "")
            field("License:", manifest["license"]?.stringValue ?? "")
            field("Thread-safe:", manifest["thread_safe"]?.boolValue == true ? "yes" : "no (calls are serialized)")
            let build = (report["build"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.stringValue ?? "")" }
            field("Build:", build.joined(separator: " "))
            if let actions = manifest["actions"]?.arrayValue, !actions.isEmpty {
                field("Actions:", actions.map { "\($0["name"]?.stringValue ?? "")(\($0["signature"]?.stringValue ?? ""))" }.joined(separator: ", "))
            }
            lines.append("Config schema:")
            lines.append(indent((manifest["config_schema"] ?? .object(["type": "object"])).serialized(pretty: true)))
        }
        if let runtime = report["runtime"] {
            lines += PluginInspectRuntime.human(runtime)
        }
        if let probe = report["probe"] {
            if probe["ok"]?.boolValue == true, let plugin = probe["plugin"] {
                field("Probe:", "loaded; negotiated ABI \(plugin["abi"]?.stringValue ?? "")")
                for (kind, ops) in (plugin["operations"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                    let version = plugin["tables"]?[kind]?.stringValue ?? ""
                    field("  \(kind) \(version):", (ops.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", "))
                }
            } else {
                field("Probe:", "FAILED — \(probe["error"]?.stringValue ?? "")")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
