import Foundation
import PaddockCore
import PaddockPosix

/// Loads enabled plugins into this process and keeps their instances. Images are never unloaded;
/// instances are created once per plugin with the config recorded by `enable`.
public final class PluginRuntime: @unchecked Sendable {
    public let catalog: PluginCatalog
    public let logger: Logger
    private let lock = NSLock()
    private var instances: [String: PluginInstance] = [:]
    private var workers: [String: WorkerPluginInstance] = [:]

    /// The running driver of an enabled plugin, in this process or in its worker as enabled.
    public func handle(named name: String) throws -> any DriverHandle {
        let record = try enabledRecord(name)
        guard record.isolation == Isolation.process.rawValue else { return try instance(named: name) }
        lock.lock()
        if let existing = workers[name] {
            lock.unlock()
            return existing
        }
        lock.unlock()
        let plugin = try catalog.find(name)
        guard plugin.isLoadable, plugin.path == record.path else {
            throw HostError(.probeFailed, "plugin \(name) cannot be loaded from \(plugin.path): \(plugin.reason.isEmpty ? "its file moved since it was enabled; enable it again" : plugin.reason)")
        }
        let worker = try WorkerPluginInstance(
            pluginName: name, path: plugin.path, config: record.config, executable: catalog.configuration.executable,
            stateDirectory: catalog.configuration.stateDirectory, configDirectory: catalog.configuration.configDirectory)
        lock.lock()
        defer { lock.unlock() }
        if let raced = workers[name] {
            worker.destroy()
            return raced
        }
        workers[name] = worker
        return worker
    }

    private func enabledRecord(_ name: String) throws -> PluginRecord {
        let state = try catalog.state.read()
        guard let record = state.plugins[name], record.enabled else {
            throw HostError(.notFound, "plugin \(name) is not enabled", hint: "run `paddock plugin enable \(name)` first")
        }
        return record
    }

    public init(catalog: PluginCatalog, logger: Logger) {
        self.catalog = catalog
        self.logger = logger
    }

    /// The running instance of an enabled plugin, loading it on first use.
    public func instance(named name: String) throws -> PluginInstance {
        lock.lock()
        if let existing = instances[name] {
            lock.unlock()
            return existing
        }
        lock.unlock()
        let record = try enabledRecord(name)
        guard record.isolation != Isolation.process.rawValue else {
            throw HostError(.unsupported, "plugin \(name) runs out of process (isolation: process); this use needs it in-process",
                            hint: "enable it with --isolation in-process to use it here")
        }
        let plugin = try catalog.find(name)
        guard plugin.isLoadable, plugin.path == record.path else {
            throw HostError(.probeFailed, "plugin \(name) cannot be loaded from \(plugin.path): \(plugin.reason.isEmpty ? "its file moved since it was enabled; enable it again" : plugin.reason)")
        }
        let negotiated = try PluginImageLoader.load(path: plugin.path)
        let services = HostServices(
            pluginName: name, stateDirectory: catalog.configuration.stateDirectory, logger: logger,
            isOrchestrator: negotiated.kinds.contains(.orchestrator),
            router: { [weak self] request in self?.route(request) ?? CallResult.notSupported(plugin: name, operation: "call_driver") },
            metadata: MetadataSource.configured(catalog.configuration))
        let instance = try PluginInstance(plugin: negotiated, config: record.config, services: services)
        lock.lock()
        defer { lock.unlock() }
        if let raced = instances[name] {
            instance.destroy()
            return raced
        }
        instances[name] = instance
        return instance
    }

    /// `call_driver`: {"kind", "op", "driver"?, "payload"} to the named or the one enabled driver.
    func route(_ request: JSONValue) -> CallResult {
        guard let kindName = request["kind"]?.stringValue, let kind = PluginKind(rawValue: kindName), kind != .orchestrator,
              let op = request["op"]?.stringValue else {
            return CallResult(status: 7, body: StatusCode.errorDocument(7, "call_driver needs \"kind\" (network, lb or storage) and \"op\""))
        }
        do {
            let name: String
            if let driver = request["driver"]?.stringValue {
                name = driver
            } else {
                let enabled = try catalog.list().filter { $0.status == .enabled && $0.kinds.contains(kind) }
                guard enabled.count == 1 else {
                    return CallResult(status: 4, body: StatusCode.errorDocument(
                        4, "call_driver: \(enabled.count) enabled \(kind.rawValue) drivers; name one with \"driver\""))
                }
                name = enabled[0].name
            }
            let payload = request["payload"] ?? .object([:])
            return try handle(named: name).call(kind, op, payload)
        } catch {
            return CallResult(status: 4, body: StatusCode.errorDocument(4, "call_driver: \(error)"))
        }
    }

    public func shutdown() {
        lock.lock()
        let all = instances.values
        let isolated = workers.values
        instances = [:]
        workers = [:]
        lock.unlock()
        all.forEach { $0.destroy() }
        isolated.forEach { $0.destroy() }
    }
}
