import ArgumentParser

// Placeholder while issue #3 is under way; replaced by the real command in this file.
struct PluginSign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a plugin file with an ed25519 key.",
        shouldDisplay: false
    )

    func run() throws {
        throw ValidationError("paddock plugin sign is not available in this build yet")
    }
}
