import ArgumentParser

// Placeholder while issue #3 is under way; replaced by the real command in this file.
struct PluginCall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call an extension action a plugin declares in its manifest.",
        shouldDisplay: false
    )

    func run() throws {
        throw ValidationError("paddock plugin call is not available in this build yet")
    }
}
