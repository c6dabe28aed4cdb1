import PaddockCore

/// The requests the kit sends. Valid ones follow docs/abi.md §7 for each kind; names start with
/// `paddock-conformance` so a scratch store shows what the kit made.
enum ConformanceRequests {
    static let object = "paddock-conformance"
    /// A name the kit never creates, for "teardown of something absent".
    static let absent = "paddock-conformance-absent"

    /// A plausible request for `kind.operation`.
    static func valid(_ kind: PluginKind, _ operation: String, plugin: String) -> JSONValue {
        switch kind {
        case .network: network(operation, plugin: plugin, container: object)
        case .lb: loadBalancer(operation, name: object)
        case .storage: storage(operation, name: object)
        case .orchestrator: orchestrator(operation, stack: object)
        }
    }

    /// The request that tears down something that does not exist (or no longer does).
    static func absentTeardown(_ kind: PluginKind, _ operation: String, plugin: String) -> JSONValue {
        switch kind {
        case .network: network(operation, plugin: plugin, container: absent)
        case .lb: loadBalancer(operation, name: absent)
        case .storage: storage(operation, name: absent)
        case .orchestrator: orchestrator(operation, stack: absent)
        }
    }

    static func network(_ operation: String, plugin: String, container: String) -> JSONValue {
        var config: [String: JSONValue] = ["cniVersion": "1.1.0", "name": "paddock-conformance", "type": .string(plugin)]
        if operation == "gc" {
            config["cni.dev/valid-attachments"] = [["containerID": .string(object), "ifname": "eth0"]]
        }
        return .object([
            "command": .string(operation.uppercased()),
            "containerId": .string(container),
            "netns": .string("/var/run/netns/\(container)"),
            "ifName": "eth0",
            "args": "",
            "config": .object(config),
        ])
    }

    static func loadBalancer(_ operation: String, name: String) -> JSONValue {
        guard operation == "apply" else { return .object(["name": .string(name)]) }
        return .object([
            "name": .string(name),
            "lb_config": [
                "port_rules": [[
                    "source_port": 8080, "protocol": "http", "hostname": "conformance.example",
                    "path": "/", "target_port": 80, "service": "web", "priority": 1,
                ]],
                "certs": [],
                "stickiness_policy": nil,
                "config": "",
            ],
            "health_check": ["port": 80, "interval": 2000, "healthy_threshold": 2, "unhealthy_threshold": 3,
                             "request_line": "GET /healthz HTTP/1.0"],
        ])
    }

    static func storage(_ operation: String, name: String) -> JSONValue {
        switch operation {
        case "create": .object(["name": .string(name), "options": ["size": "1M"]])
        case "mount", "unmount": .object(["name": .string(name), "id": "paddock-conformance-mount"])
        case "list", "capabilities": .object([:])
        default: .object(["name": .string(name)])
        }
    }

    static func orchestrator(_ operation: String, stack: String) -> JSONValue {
        switch operation {
        case "deploy":
            .object([
                "environment": "paddock-conformance", "stack": .string(stack),
                "compose": ["services": ["web": ["image": "registry.example/web:1", "scale": 1,
                                                 "ports": ["8080:80"]]]],
            ])
        case "scale": .object(["environment": "paddock-conformance", "stack": .string(stack), "service": "web", "scale": 2])
        case "logs": .object(["environment": "paddock-conformance", "stack": .string(stack), "service": "web", "tail": 10])
        case "list": .object(["environment": "paddock-conformance"])
        default: .object(["environment": "paddock-conformance", "stack": .string(stack)])
        }
    }

    /// The payloads of one case, each with a label for failure messages.
    static func payloads(_ payloadCase: PayloadCase, valid: JSONValue) -> [(label: String, payload: RawPayload)] {
        switch payloadCase {
        case .validJSON:
            return [("a valid request", .bytes(Array(valid.serialized().utf8)))]
        case .invalidJSON:
            let text = valid.serialized()
            let truncated = String(text.prefix(max(1, text.count / 2)))
            return [("truncated JSON", .bytes(Array(truncated.utf8))),
                    ("text that is not JSON", .bytes(Array("paddock conformance: not json".utf8)))]
        case .empty:
            return [("an empty request with a NULL pointer", .nullEmpty),
                    ("an empty request with a non-NULL pointer", .nonNullEmpty)]
        case .nonObject:
            return [("a JSON array", .bytes(Array(#"["paddock","conformance"]"#.utf8))),
                    ("a JSON string", .bytes(Array(#""paddock-conformance""#.utf8))),
                    ("a JSON number", .bytes(Array("42".utf8))),
                    ("JSON null", .bytes(Array("null".utf8)))]
        }
    }

    /// Operations that only read, per kind: repeated identical calls must give identical answers,
    /// which is what the thread-safety check compares.
    static func queries(_ kind: PluginKind) -> [String] {
        switch kind {
        case .network: ["version", "status"]
        case .lb: ["capabilities", "status"]
        case .storage: ["capabilities", "list", "path", "get"]
        case .orchestrator: ["list", "status"]
        }
    }

    /// Where the contract says tearing down something absent succeeds (docs/abi.md §7).
    static func idempotentTeardowns(_ kind: PluginKind) -> [String] {
        switch kind {
        case .network: ["del"]
        case .lb: ["remove"]
        case .storage: ["remove", "unmount", "detach"]
        case .orchestrator: ["remove"]
        }
    }
}
