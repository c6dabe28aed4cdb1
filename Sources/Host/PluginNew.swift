import ArgumentParser

// Placeholder while issue #3 is under way; replaced by the real command in this file.
struct PluginNew: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a new driver project that builds and passes the conformance kit.",
        shouldDisplay: false
    )

    func run() throws {
        throw ValidationError("paddock plugin new is not available in this build yet")
    }
}
