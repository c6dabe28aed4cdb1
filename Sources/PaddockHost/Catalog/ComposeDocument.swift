import Foundation
import PaddockCore
import Yams

/// Reads the files operators already have: JSON, or YAML as rancher-compose writes it, and turns
/// them into JSONValue. For balancers it accepts the contract payload itself ({"name",
/// "lb_config", "health_check"}) or a rancher-compose.yml whose `services` hold lb_config entries.
public enum ComposeDocument {
    public static func parse(_ bytes: [UInt8], file: String) throws(HostError) -> JSONValue {
        if let json = try? JSONValue(parsing: bytes) { return json }
        let text = String(decoding: bytes, as: UTF8.self)
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch {
            throw HostError(.invalidInput, "\(file) is neither JSON nor YAML: \(error)")
        }
        guard let loaded else { throw HostError(.invalidInput, "\(file) is empty") }
        return try convert(loaded, at: file)
    }

    static func convert(_ value: Any, at path: String) throws(HostError) -> JSONValue {
        switch value {
        case let text as String: return .string(text)
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .number(Double(number))
        case let number as Double: return .number(number)
        case let list as [Any]:
            var items: [JSONValue] = []
            for (index, item) in list.enumerated() { items.append(try convert(item, at: "\(path)[\(index)]")) }
            return .array(items)
        case let map as [AnyHashable: Any]:
            var object: [String: JSONValue] = [:]
            for (key, item) in map {
                let name = "\(key.base)"
                object[name] = try convert(item, at: "\(path).\(name)")
            }
            return .object(object)
        case is NSNull: return .null
        default:
            if let number = value as? NSNumber { return .number(number.doubleValue) }
            throw HostError(.invalidInput, "\(path): a value of type \(type(of: value)) has no JSON form")
        }
    }

    /// The balancer payload from either form; `name` picks the service in a compose file.
    public static func balancer(from document: JSONValue, name: String?, file: String) throws(HostError) -> JSONValue {
        if case .object(var object) = document, object["lb_config"] != nil {
            if let name { object["name"] = .string(name) }
            return .object(object)
        }
        guard let services = document["services"]?.objectValue ?? document.objectValue else {
            throw HostError(.invalidInput, "\(file) holds no lb_config", hint: "give {\"name\", \"lb_config\"} or a rancher-compose.yml with services")
        }
        let balancers = services.filter { $0.value["lb_config"] != nil }
        let chosen: (key: String, value: JSONValue)
        if let name {
            guard let service = balancers.first(where: { $0.key == name }) else {
                throw HostError(.invalidInput, "\(file) has no service \(name) with an lb_config",
                                hint: "services with one: \(balancers.keys.sorted().joined(separator: ", "))")
            }
            chosen = service
        } else {
            guard balancers.count == 1, let only = balancers.first else {
                throw HostError(.invalidInput, "\(file) has \(balancers.count) services with an lb_config",
                                hint: "pick one with --name (\(balancers.keys.sorted().joined(separator: ", ")))")
            }
            chosen = only
        }
        var payload: [String: JSONValue] = ["name": .string(chosen.key), "lb_config": chosen.value["lb_config"]!]
        if let health = chosen.value["health_check"] { payload["health_check"] = health }
        return .object(payload)
    }
}
