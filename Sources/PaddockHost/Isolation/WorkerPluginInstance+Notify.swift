import PaddockCore

extension WorkerPluginInstance {
    /// The call-frame operation name that carries the plugin-level `notify` to the worker (no kind
    /// table has an operation with a leading underscore).
    static let notifyOperation = "__notify"

    /// `PluginInstance.notify` in the worker process.
    public func notify(_ event: JSONValue) -> CallResult {
        call(.network, Self.notifyOperation, request: Array(event.serialized().utf8))
    }
}

extension DriverHandle {
    /// The plugin-level `notify`, in this process or in the plugin's worker.
    public func notifyEvent(_ event: JSONValue) -> CallResult {
        if let worker = self as? WorkerPluginInstance { return worker.notify(event) }
        if let instance = self as? PluginInstance { return instance.notify(event) }
        return .notSupported(plugin: pluginName, operation: "notify")
    }
}
