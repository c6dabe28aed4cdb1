/// The containers behind a `service` rule, matched as ServiceResolution.resolve matches them
/// ("web" or "stack/web"), for drivers that report which container a resolved target is.
extension ServiceResolution {
    public static func members(of service: String, in containers: [JSONValue]) -> [JSONValue] {
        containers.filter { container in
            guard let name = container["service"]?.stringValue else { return false }
            if name == service { return true }
            if let stack = container["stack"]?.stringValue, "\(stack)/\(name)" == service { return true }
            return false
        }
    }
}
