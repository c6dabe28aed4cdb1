import ArgumentParser
import PaddockCore
import PaddockHost

struct PluginCall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call an extension action a plugin declares in its manifest.",
        usage: """
            paddock plugin call <name>
            paddock plugin call <name> <action> [<arg> ...] [--format table|json]
            """,
        discussion: """
            Extension actions are extra C functions a plugin exports beside its contract tables \
            and declares in its manifest ("actions": name, symbol, signature, arguments, \
            description). With no ACTION, lists the plugin's actions with their signatures, read \
            from the file: nothing is loaded. With an ACTION, converts each ARG by the action's \
            signature, loads the enabled plugin, creates its instance with the enabled config and \
            calls the function through libffi.

            SIGNATURE LETTERS (one per argument, in order)
              i  int64_t               decimal (-42), or 0x1f, 0o755, 0b101; a decimal
                                       with a leading zero (0755) is refused as ambiguous
              f  double                a finite number: 1.5, -2, 6.02e23
              s  const char *          UTF-8 text, passed NUL-terminated
              b  const void *, size_t  a buffer: @FILE reads FILE, - reads standard
                                       input (once per call), @@TEXT is the text @TEXT,
                                       anything else is its own bytes; 64 MiB at most

            The C function is `paddock_status fn(void *instance, <arguments>, paddock_buffer \
            *result)`: an action with signature "si" called as `set_mtu eth0 1450` runs \
            fn(instance, "eth0", 1450, &result).

            Too few or too many arguments, or one that does not convert (not an integer, outside \
            the 64-bit range, not a finite number, a NUL in a string, an unreadable file), are \
            refused before the plugin is loaded: nothing is called. Negative numbers need no \
            quoting; put paddock's own options (--format) before a `--`, and everything after \
            it is an argument of the action, even -h.

            OUTPUT AND EXIT STATUS
            Prints the JSON the action returned ({} when it returned nothing) or its error \
            document {"code","msg","details"}: pretty for --format table, one line for --format \
            json. Exits 0 on PADDOCK_OK; 1 when the action failed (the status is the document's \
            "code") or the call was refused (the reason goes to standard error). The plugin must \
            be enabled (`paddock plugin enable NAME`) and run in-process.

            EXAMPLES
              paddock plugin call dirvol
              paddock plugin call dirvol set_mode data 0o750
              paddock plugin call host-local release 198.18.7.2 --format json
              paddock plugin call vxlan load-keys @keys.bin
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The plugin's name, as `paddock plugin list` shows it.")
    var name: String

    @Argument(help: "The action to call; omit it to list the plugin's actions.")
    var action: String?

    @Argument(parsing: .allUnrecognized,
              help: ArgumentHelp("The action's arguments, converted by its signature letters.", valueName: "arg"))
    var arguments: [String] = []

    func run() throws {
        do {
            let catalog = global.catalog()
            let plugin = try catalog.find(name)
            guard let manifest = plugin.manifest else {
                throw HostError(.probeFailed, "plugin \(name) (\(plugin.path)) cannot be used: \(plugin.reason)")
            }
            guard let actionName = action else {
                print(render(manifest.actions, plugin: manifest.name))
                return
            }
            let action = try ActionCaller.action(named: actionName, in: manifest)
            let values = try ActionCaller.arguments(Self.dropTerminator(arguments), for: action, plugin: manifest.name)
            let runtime = PluginRuntime(catalog: catalog, logger: global.logger)
            defer { runtime.shutdown() }
            let result = try ActionCaller.call(action, values, on: runtime.instance(named: manifest.name))
            print(result.body.serialized(pretty: global.format == .table))
            if !result.isSuccess { throw ExitCode(1) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail(error)
        }
    }

    /// `--` ends option parsing; it is not an argument of the action.
    static func dropTerminator(_ arguments: [String]) -> [String] {
        guard let index = arguments.firstIndex(of: "--") else { return arguments }
        var rest = arguments
        rest.remove(at: index)
        return rest
    }

    func render(_ actions: [ExtensionAction], plugin: String) -> String {
        switch global.format {
        case .json:
            return JSONValue.array(actions.map { action in
                .object([
                    "name": .string(action.name),
                    "symbol": .string(action.symbol),
                    "signature": .string(String(action.signature.map(\.rawValue))),
                    "arguments": .array(action.signature.indices.map { .string(action.argumentName(at: $0)) }),
                    "c_type": .string(Self.cDeclaration(action)),
                    "description": .string(action.description),
                ])
            }).serialized(pretty: true)
        case .table:
            guard !actions.isEmpty else { return "Plugin \(plugin) declares no actions." }
            let rows = actions.map { action in
                [action.name, action.signature.isEmpty ? "-" : action.usage, action.description]
            }
            return TextTable(headers: ["ACTION", "ARGUMENTS", "DESCRIPTION"], rows: rows).render()
                + "\n\nCall one with `paddock plugin call \(plugin) ACTION ARG…`; letters: i integer, f float, s string, b buffer (@FILE, - or text)."
        }
    }

    /// The C prototype the manifest promises, for driver authors checking their export.
    static func cDeclaration(_ action: ExtensionAction) -> String {
        let arguments = action.signature.enumerated().map { index, letter in
            let name = action.argumentName(at: index).lowercased()
            switch letter {
            case .integer: return "int64_t \(name)"
            case .float: return "double \(name)"
            case .string: return "const char *\(name)"
            case .buffer: return "const void *\(name), size_t \(name)_len"
            }
        }
        return "paddock_status \(action.symbol)(" + (["void *instance"] + arguments + ["paddock_buffer *result"]).joined(separator: ", ") + ")"
    }
}
