import PluginABI

/// A driver instance. The SDK makes one per `create` and drops it at `destroy`.
public protocol Driver: AnyObject {
    /// Called by `create` with the host's services and the validated enable config.
    init(host: HostClient, config: JSONValue) throws(DriverError)
    /// Called by `destroy`; stop anything the driver started.
    func stop()
    /// Optional: a change the host tells about ({"type": "metadata.changed"}).
    func notify(_ event: JSONValue) throws(DriverError) -> JSONValue
}

extension Driver {
    public func stop() {}
    public func notify(_ event: JSONValue) throws(DriverError) -> JSONValue { .object([:]) }
}

/// CNI semantics; every request is {"command","containerId","netns","ifName","args","config"}.
public protocol NetworkDriver: Driver {
    func add(_ request: JSONValue) throws(DriverError) -> JSONValue
    func del(_ request: JSONValue) throws(DriverError) -> JSONValue
    func check(_ request: JSONValue) throws(DriverError) -> JSONValue
    func status(_ request: JSONValue) throws(DriverError) -> JSONValue
    func gc(_ request: JSONValue) throws(DriverError) -> JSONValue
    func version(_ request: JSONValue) throws(DriverError) -> JSONValue
}

extension NetworkDriver {
    public func check(_ request: JSONValue) throws(DriverError) -> JSONValue { throw .notSupported("network.check") }
    public func status(_ request: JSONValue) throws(DriverError) -> JSONValue { .object([:]) }
    public func gc(_ request: JSONValue) throws(DriverError) -> JSONValue { throw .notSupported("network.gc") }
    public func version(_ request: JSONValue) throws(DriverError) -> JSONValue {
        .object(["cniVersion": "1.1.0", "supportedVersions": ["0.4.0", "1.0.0", "1.1.0"]])
    }
}

public protocol LoadBalancerDriver: Driver {
    func apply(_ request: JSONValue) throws(DriverError) -> JSONValue
    func status(_ request: JSONValue) throws(DriverError) -> JSONValue
    func remove(_ request: JSONValue) throws(DriverError) -> JSONValue
    func capabilities(_ request: JSONValue) throws(DriverError) -> JSONValue
}

public protocol StorageDriver: Driver {
    func create(_ request: JSONValue) throws(DriverError) -> JSONValue
    func remove(_ request: JSONValue) throws(DriverError) -> JSONValue
    func attach(_ request: JSONValue) throws(DriverError) -> JSONValue
    func detach(_ request: JSONValue) throws(DriverError) -> JSONValue
    func mount(_ request: JSONValue) throws(DriverError) -> JSONValue
    func unmount(_ request: JSONValue) throws(DriverError) -> JSONValue
    func path(_ request: JSONValue) throws(DriverError) -> JSONValue
    func get(_ request: JSONValue) throws(DriverError) -> JSONValue
    func list(_ request: JSONValue) throws(DriverError) -> JSONValue
    func capabilities(_ request: JSONValue) throws(DriverError) -> JSONValue
}

extension StorageDriver {
    public func attach(_ request: JSONValue) throws(DriverError) -> JSONValue { throw .notSupported("storage.attach") }
    public func detach(_ request: JSONValue) throws(DriverError) -> JSONValue { throw .notSupported("storage.detach") }
}

public protocol OrchestratorDriver: Driver {
    func deploy(_ request: JSONValue) throws(DriverError) -> JSONValue
    func remove(_ request: JSONValue) throws(DriverError) -> JSONValue
    func scale(_ request: JSONValue) throws(DriverError) -> JSONValue
    func status(_ request: JSONValue) throws(DriverError) -> JSONValue
    func list(_ request: JSONValue) throws(DriverError) -> JSONValue
    func logs(_ request: JSONValue) throws(DriverError) -> JSONValue
}

/// For a plugin with several kinds whose operation names collide (remove, status, list,
/// capabilities): one entry point that is told the kind. When a driver conforms, the SDK sends
/// every operation here instead of to the per-kind protocols.
public protocol RawDriver: Driver {
    func handle(kind: PluginKind, operation: String, request: JSONValue) throws(DriverError) -> JSONValue
}

/// The contract's kinds, as the SDK names them.
public enum PluginKind: String, Sendable, CaseIterable {
    case network, lb, storage, orchestrator

    var bit: UInt32 {
        switch self {
        case .network: UInt32(PADDOCK_KIND_NETWORK)
        case .lb: UInt32(PADDOCK_KIND_LB)
        case .storage: UInt32(PADDOCK_KIND_STORAGE)
        case .orchestrator: UInt32(PADDOCK_KIND_ORCHESTRATOR)
        }
    }
}
