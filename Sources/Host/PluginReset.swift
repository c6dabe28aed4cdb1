import ArgumentParser
import PaddockCore
import PaddockHost

struct PluginReset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Clear a plugin's quarantine and cached scan record.",
        discussion: """
            A plugin whose probe crashed, aborted, exited or hung is quarantined: listed as error \
            with the reason until its file changes. After fixing what it depended on (a library, \
            the kernel), reset it to have it read and probed afresh.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The plugin's name.") var name: String

    func run() throws {
        do {
            let cleared = try global.catalog().reset(name)
            let message = cleared ? "Reset \(name)." : "Nothing to reset for \(name)."
            print(global.format == .json ? JSONValue.object(["reset": .string(name), "cleared": .bool(cleared)]).serialized() : message)
        } catch {
            throw fail(error)
        }
    }
}
