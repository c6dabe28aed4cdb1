import ArgumentParser

// Placeholder while issue #3 is under way; replaced by the real command in this file.
struct PluginReset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Clear a plugin's quarantine and cached scan record.",
        shouldDisplay: false
    )

    func run() throws {
        throw ValidationError("paddock plugin reset is not available in this build yet")
    }
}
