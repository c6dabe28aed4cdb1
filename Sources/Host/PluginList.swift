import ArgumentParser
import PaddockCore
import PaddockHost

struct PluginList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every plugin file on the plugin path with its status.",
        discussion: """
            One row per .so file: name, kinds, version, ABI, status and path. Status is enabled, \
            disabled, error (the file is broken or failed its probe; the reason says why and what \
            to do) or skipped (not applicable on this host, e.g. built for another machine). One \
            broken file never hides the others. Exits 0 unless a directory named by --plugin-path \
            or $PADDOCK_PLUGIN_PATH is unusable (exit 2). Listing never runs plugin code.
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let plugins: [DiscoveredPlugin]
        do {
            plugins = try global.catalog().list()
        } catch {
            throw fail(error)
        }
        switch global.format {
        case .json:
            print(JSONValue.array(plugins.map(Self.json)).serialized(pretty: true))
        case .table:
            if plugins.isEmpty {
                print("No plugins found on the plugin path (\(global.hostConfiguration().0.pluginPath.joined(separator: ":"))).")
                return
            }
            let rows = plugins.map { plugin in
                [plugin.name, plugin.kinds.map(\.rawValue).joined(separator: ","), plugin.version, plugin.abi,
                 plugin.status.rawValue, plugin.path]
            }
            print(TextTable(headers: ["NAME", "KINDS", "VERSION", "ABI", "STATUS", "PATH"], rows: rows).render())
            let notes = plugins.filter { !$0.reason.isEmpty }
            if !notes.isEmpty {
                print("")
                for plugin in notes {
                    print("\(plugin.name) (\(plugin.path)): \(plugin.reason)")
                }
            }
        }
    }

    static func json(_ plugin: DiscoveredPlugin) -> JSONValue {
        .object([
            "name": .string(plugin.name),
            "kinds": .array(plugin.kinds.map { .string($0.rawValue) }),
            "version": .string(plugin.version),
            "abi": .string(plugin.abi),
            "status": .string(plugin.status.rawValue),
            "reason": .string(plugin.reason),
            "path": .string(plugin.path),
            "signed_by": plugin.signer.map { .string($0) } ?? .null,
        ])
    }
}
