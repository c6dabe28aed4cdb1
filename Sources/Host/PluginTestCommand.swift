import ArgumentParser

// Placeholder while issue #3 is under way; replaced by the real command in this file.
struct PluginTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the conformance kit against a plugin.",
        shouldDisplay: false
    )

    func run() throws {
        throw ValidationError("paddock plugin test is not available in this build yet")
    }
}
