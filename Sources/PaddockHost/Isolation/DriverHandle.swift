import PaddockCore

/// Something the host can call operations on: a plugin instance in this process, or one running
/// in a worker process (`isolation: process`). Both keep the contract's semantics.
public protocol DriverHandle: AnyObject, Sendable {
    var pluginName: String { get }
    func call(_ kind: PluginKind, _ operation: String, request: [UInt8]) -> CallResult
    func destroy()
}

extension DriverHandle {
    public func call(_ kind: PluginKind, _ operation: String, _ request: JSONValue) -> CallResult {
        call(kind, operation, request: Array(request.serialized().utf8))
    }
}

extension PluginInstance: DriverHandle {
    public var pluginName: String { plugin.name }
}

/// How an enabled plugin runs.
public enum Isolation: String, Sendable, CaseIterable {
    /// Loaded into the paddock process that uses it (fastest).
    case inProcess = "in-process"
    /// Loaded into a child `paddock` worker; a crash fails the call and restarts the worker.
    case process
}
