import ArgumentParser

struct PluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Find, check, enable and manage driver plugins.",
        discussion: """
            A plugin is a shared object (.so) in a plugin directory. The plugin path is --plugin-path \
            or $PADDOCK_PLUGIN_PATH (colon-separated), then ~/.local/lib/paddock/plugins, \
            /usr/local/lib/paddock/plugins and /usr/lib/paddock/plugins. Listing reads files only; \
            enable and inspect --probe load the plugin in a child process with a timeout first.
            """,
        subcommands: [
            PluginList.self, PluginInspect.self, PluginEnable.self, PluginDisable.self,
            PluginInstall.self, PluginRemove.self, PluginInvoke.self, PluginCall.self, PluginTestCommand.self,
            PluginNew.self, PluginSign.self, PluginKeygen.self, PluginReset.self, PluginProbeChild.self, PluginWorkerChild.self, PluginConformChild.self,
        ]
    )
}
