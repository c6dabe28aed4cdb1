import ArgumentParser
import PaddockCore
import PaddockHost

@main
struct Paddock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paddock",
        abstract: "Run container infrastructure drivers loaded from plugin shared objects.",
        discussion: """
            Paddock loads network, load-balancer, storage and orchestrator drivers from .so files \
            found on the plugin path and puts them behind the interfaces the ecosystem speaks. \
            Listing plugins reads their files only; loading happens in a child process first.
            """,
        version: "paddock \(PaddockVersion.current) (plugin ABI \(ABIVersion.hostMinimum)–\(ABIVersion.hostCurrent), Swift \(HostToolchain.swiftVersion))",
        subcommands: [PluginCommand.self, LBCommand.self, NetworkCommand.self, CNIGroupCommand.self, AgentCommand.self,
                      VolumeCommand.self, FlexVolumeCommand.self, VolumePluginCommand.self]
    )
}

enum PaddockVersion {
    static let current = "0.1.0"
}
