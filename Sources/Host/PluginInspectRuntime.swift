import PaddockCore
import PaddockHost

/// The "runtime" section of `plugin inspect` for an enabled plugin: what the running driver says
/// about itself — a network driver's `status` answer, a storage or LB driver's `capabilities`.
/// Orchestrators have no argument-free query and get none. The driver runs in a worker process, so
/// a driver that crashes or hangs fails this section, not the inspect command.
enum PluginInspectRuntime {
    static func query(_ catalog: PluginCatalog, name: String, kinds: [PluginKind]) -> JSONValue? {
        let operation: (PluginKind, String)
        if kinds.contains(.network) {
            operation = (.network, "status")
        } else if kinds.contains(.storage) {
            operation = (.storage, "capabilities")
        } else if kinds.contains(.lb) {
            operation = (.lb, "capabilities")
        } else {
            return nil
        }
        let source = "\(operation.0.rawValue).\(operation.1)"
        do {
            guard let record = try catalog.state.read().plugins[name], record.enabled else { return nil }
            let worker = try WorkerPluginInstance(
                pluginName: name, path: record.path, config: record.config, executable: catalog.configuration.executable,
                stateDirectory: catalog.configuration.stateDirectory, callTimeoutSeconds: 30)
            defer { worker.destroy() }
            let result = worker.call(operation.0, operation.1, .object([:]))
            return .object(["source": .string(source), "ok": .bool(result.isSuccess),
                            result.isSuccess ? "answer" : "error": result.body])
        } catch {
            return .object(["source": .string(source), "ok": false,
                            "error": .object(["code": 4, "msg": .string("\(error)"), "details": ""])])
        }
    }

    /// Table lines: the answer's top-level fields, one per line, nested values as compact JSON.
    static func human(_ runtime: JSONValue) -> [String] {
        let source = runtime["source"]?.stringValue ?? ""
        guard runtime["ok"]?.boolValue == true, let answer = runtime["answer"]?.objectValue else {
            let error = runtime["error"]
            let details = error?["details"]?.stringValue ?? ""
            return ["Runtime:       \(source) FAILED — \(error?["msg"]?.stringValue ?? "")\(details.isEmpty ? "" : " (\(details))")"]
        }
        var lines = ["Runtime:       (\(source))"]
        let width = max(15, (answer.keys.map(\.count).max() ?? 0) + 5)
        for (key, value) in answer.sorted(by: { $0.key < $1.key }) {
            let text = value.stringValue ?? value.serialized()
            lines.append("  \(key):".padding(toLength: width) + text)
        }
        return lines
    }
}
