import Foundation
import Glibc
import PaddockCNI
import PaddockCore
import PaddockHost
import PaddockJSON
import PaddockPosix

/// The adapter's way into the host: the enabled network driver, loaded in this process by the
/// host's own runtime (same loader, state, key-value store and metadata as `paddock`). Shared by
/// the CNI binary (one invocation per process) and `paddock cni serve` (many, concurrently; the
/// drivers stay loaded between them).
public final class HostDriverGateway: CNIDriverGateway, @unchecked Sendable {
    private let paths: () throws(CNIError) -> CNIHostPaths
    private var runtime: PluginRuntime?
    private let lock = NSLock()

    public init(paths: @escaping () throws(CNIError) -> CNIHostPaths) {
        self.paths = paths
    }

    public func call(driver: String, operation: String, request: JSONValue) throws(CNIError) -> (status: Int32, body: JSONValue) {
        let handle: any DriverHandle
        do {
            handle = try hostRuntime().handle(named: driver)
        } catch let error as HostError {
            throw CNIError(.invalidConfig, "driver \(driver): \(error.message)",
                           details: error.hint ?? "enable a network plugin with `paddock plugin enable \(driver)`")
        } catch let error as CNIError {
            throw error
        } catch {
            throw CNIError(.invalidConfig, "driver \(driver) cannot be loaded: \(error)",
                           details: "`paddock plugin list` shows why; `paddock plugin enable \(driver)` probes it again")
        }
        if let instance = handle as? PluginInstance, !instance.plugin.kinds.contains(.network) {
            throw CNIError(.invalidConfig, "driver \(driver) is not a network driver (kinds: \(instance.plugin.kinds.map(\.rawValue).joined(separator: ", ")))",
                           details: "name a plugin of kind network in \"driver\"; `paddock plugin list` shows the kinds")
        }
        let result = handle.call(.network, operation, request)
        return (result.status, result.body)
    }

    public func checkInterfaceAbsent(netns: String, interface: String) throws(CNIError) {
        do {
            if case .present = try NamespaceInterfaceProbe.lookup(netnsPath: netns, interface: interface) {
                throw CNIError(.init(rawValue: 102), "interface \(interface) already exists in \(netns)",
                               details: "ADD must create the interface; pick another CNI_IFNAME or DEL the old attachment first")
            }
        } catch let error as SystemError where error.call == "open" && error.errno == ENOENT {
            throw CNIError(.unknownContainer, "network namespace \(netns) does not exist", details: "\(error)")
        } catch let error as SystemError {
            throw CNIError(.io, "cannot look into network namespace \(netns)", details: "\(error)")
        } catch let error as CNIError {
            throw error
        } catch {
            throw CNIError(.io, "cannot look into network namespace \(netns)", details: "\(error)")
        }
    }

    private func hostRuntime() throws(CNIError) -> PluginRuntime {
        lock.lock()
        defer { lock.unlock() }
        if let runtime { return runtime }
        let paths = try paths()
        let environment = HostConfiguration.trustedEnvironment(ChildProcess.currentEnvironment(),
                                                               secure: ProcessSecurity.isSecureExecution)
        let uid = FileSystem.currentUID()
        let configDirectory = paths.configDirectory ?? HostConfiguration.configDirectory(flag: nil, environment: environment, uid: uid)
        let settings: HostSettings
        do {
            settings = try HostSettings.load(configDirectory: configDirectory)
        } catch {
            throw CNIError(.invalidConfig, error.message, details: error.hint ?? "")
        }
        // Like `paddock --plugin-path`: the installed directories first and required to exist,
        // then the default ones, which may be missing.
        let explicitText = paths.pluginPath?.joined(separator: ":") ?? environment["PADDOCK_PLUGIN_PATH"]
        let pluginPath = HostConfiguration.pluginPath(flag: explicitText, environment: environment, uid: uid)
        let explicit = Set((explicitText ?? "").split(separator: ":").map(String.init))
        let configuration = HostConfiguration(
            pluginPath: pluginPath,
            stateDirectory: paths.stateDirectory ?? HostConfiguration.stateDirectory(flag: nil, environment: environment, uid: uid),
            executable: paths.executable ?? ChildProcess.currentExecutable(),
            logLevel: .warning, configDirectory: configDirectory, settings: settings)
        let made = PluginRuntime(catalog: PluginCatalog(configuration: configuration, explicitDirectories: explicit),
                                 logger: Logger(level: .warning))
        runtime = made
        return made
    }
}
