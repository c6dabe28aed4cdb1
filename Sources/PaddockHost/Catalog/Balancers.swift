import PaddockCore
import PaddockPosix

/// The logic behind `paddock lb`: which driver runs which balancer, and the calls through the
/// contract. A balancer marks its driver as in use, so `plugin disable` refuses while it exists.
public struct Balancers: Sendable {
    public let runtime: PluginRuntime

    public init(runtime: PluginRuntime) { self.runtime = runtime }

    var catalog: PluginCatalog { runtime.catalog }

    /// Reads an lb file: the contract payload {"name", "lb_config", "health_check"} or a
    /// rancher-compose.yml with services holding lb_config, in JSON or YAML.
    public static func load(file: String, name: String?) throws(HostError) -> JSONValue {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(file, limit: 16 << 20)
        } catch {
            throw HostError(.invalidInput, "cannot read \(file): \(error)")
        }
        let payload = try ComposeDocument.balancer(from: try ComposeDocument.parse(bytes, file: file), name: name, file: file)
        guard payload["name"]?.stringValue != nil else {
            throw HostError(.invalidInput, "\(file) names no balancer", hint: "add \"name\" to the file or pass --name")
        }
        return payload
    }

    public func apply(_ payload: JSONValue, driver: String) throws -> CallResult {
        let name = payload["name"]?.stringValue ?? ""
        let state = try catalog.state.read()
        if let owner = state.balancers[name], owner != driver {
            throw HostError(.invalidInput, "balancer \(name) is run by \(owner), not \(driver)",
                            hint: "remove it first with `paddock lb remove \(name)`")
        }
        let handle = try runtime.handle(named: driver)
        guard let plugin = try? catalog.find(driver), plugin.kinds.contains(.lb) else {
            throw HostError(.invalidInput, "plugin \(driver) is not a load-balancer driver")
        }
        let result = handle.call(.lb, "apply", payload)
        if result.isSuccess {
            try catalog.acquire(driver, user: "lb:\(name)")
            try catalog.state.update { $0.balancers[name] = driver }
        }
        return result
    }

    public func driver(of name: String) throws -> String {
        guard let driver = try catalog.state.read().balancers[name] else {
            let known = try catalog.state.read().balancers.keys.sorted()
            throw HostError(.notFound, "no balancer named \(name)",
                            hint: known.isEmpty ? "apply one with `paddock lb apply FILE --driver NAME`" : "known: \(known.joined(separator: ", "))")
        }
        return driver
    }

    public func status(_ name: String) throws -> CallResult {
        try runtime.handle(named: try driver(of: name)).call(.lb, "status", .object(["name": .string(name)]))
    }

    public func remove(_ name: String) throws -> CallResult {
        let driver = try driver(of: name)
        let result = try runtime.handle(named: driver).call(.lb, "remove", .object(["name": .string(name)]))
        if result.isSuccess {
            try catalog.release(driver, user: "lb:\(name)")
            try catalog.state.update { $0.balancers[name] = nil }
        }
        return result
    }
}
