import ArgumentParser
import PaddockCore
import PaddockHost
import PaddockPosix

struct PluginNew: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a driver project that builds as generated and passes `paddock plugin test`.",
        usage: "paddock plugin new <name> --kind network|lb|storage|orchestrator --lang c|swift [--dir <dir>] [--paddock-source <dir>]",
        discussion: """
            Writes a new driver project for one kind. Every operation of the kind is implemented as \
            a starting point that keeps its state in the host's key-value store (so it works across \
            `paddock` processes) and already keeps the contract: error documents, refusing \
            malformed requests, idempotent teardown, serialized calls. Replace the bodies with the \
            real work and run the kit again.

            NAME is the plugin's name as its manifest gives it: 1-63 of a-z 0-9 . _ -, starting \
            with a letter or digit.

            --lang c: NAME.c (manifest, operations, plugin table, entry function), minijson.c/.h \
            (a small JSON reader and writer), a Makefile that finds <paddock/plugin.h> with \
            `pkg-config --cflags paddock`, and a README. Install the header once with \
            `scripts/install-sdk PREFIX` from the Paddock tree (and PKG_CONFIG_PATH=PREFIX/lib/pkgconfig \
            for a PREFIX pkg-config does not search), then `make`.

            --lang swift: a SwiftPM package whose dynamic library is the plugin: the driver target \
            on PaddockPluginKit and a one-file C target holding the manifest, as Plugins/HostLocal \
            does it. It depends on the Paddock source tree with .package(path:): --paddock-source \
            DIR, by default the tree this paddock was built from (\(PaddockSourceTree.builtFrom)). \
            Build it with `swift build` using the same Swift toolchain as paddock; the first build \
            takes a minute or more.

            The project directory is --dir DIR, by default ./NAME. It must not exist: nothing is \
            ever overwritten, and the project appears complete or not at all.

            EXAMPLES:
              paddock plugin new my-vol --kind storage --lang c
              cd my-vol && make && make test
              paddock plugin new edge-lb --kind lb --lang swift --dir ~/src/edge-lb
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The plugin's name (its manifest name).", valueName: "name"))
    var name: String

    @Option(help: ArgumentHelp("The driver kind: network, lb, storage or orchestrator.", valueName: "kind"))
    var kind: String

    @Option(help: ArgumentHelp("The language: c or swift.", valueName: "lang"))
    var lang: String

    @Option(help: ArgumentHelp("The project directory to create (default: ./NAME); it must not exist.", valueName: "dir"))
    var dir: String?

    @Option(name: .customLong("paddock-source"),
            help: ArgumentHelp("Swift only: the Paddock source tree to depend on (default: the tree this paddock was built from).", valueName: "dir"))
    var paddockSource: String?

    func validate() throws {
        guard PluginKind(rawValue: kind) != nil else {
            throw ValidationError("--kind must be one of \(PluginKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard ScaffoldLanguage(rawValue: lang) != nil else {
            throw ValidationError("--lang must be c or swift")
        }
    }

    func run() throws {
        let language = ScaffoldLanguage(rawValue: lang)!
        let request = ScaffoldRequest(
            name: name, kind: PluginKind(rawValue: kind)!, language: language,
            directory: Self.absolute(dir ?? name),
            paddockSource: Self.absolute(paddockSource ?? PaddockSourceTree.builtFrom))
        let files: [String]
        do {
            files = try Scaffolder.create(request)
        } catch {
            throw fail(error)
        }
        switch global.format {
        case .json:
            print(JSONValue.object(["created": .string(request.directory), "files": .array(files.map { .string($0) })]).serialized(pretty: true))
        case .table:
            print("Created \(request.directory): a \(lang == "c" ? "C" : "Swift") \(kind) driver named \(name).")
            for file in files { print("  \(file)") }
            print("Next:")
            print("  cd \(request.directory)")
            if language == .c {
                print("  make                              # needs `scripts/install-sdk PREFIX` and pkg-config once")
                print("  paddock plugin test ./\(name).so")
            } else {
                print("  swift build")
                print("  paddock plugin test .build/debug/lib\(request.moduleName).so")
            }
        }
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let cwd = (try? FileSystem.realPath(".")) ?? "."
        return path == "." ? cwd : "\(cwd)/\(path)"
    }
}
