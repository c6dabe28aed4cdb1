import PaddockJSON

/// Where and as whom the driver talks to EC2, and how long it waits: the enable config first,
/// then the usual AWS environment variables. Secrets are kept out of `description`.
public struct EBSSettings: Sendable, CustomStringConvertible {
    public var endpoint: String
    public var region: String
    public var zone: String
    public var instanceID: String
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public var deviceMapHook: String?
    public var mountRoot: String
    public var mkfs: String
    public var waitTimeout: Double
    public var detachTimeout: Double
    public var deviceTimeout: Double
    public var pollInterval: Double
    public var requestTimeout: Double
    public var tags: [(String, String)]

    /// Enable-config keys (the manifest's schema lists the same).
    public static let keys = ["endpoint", "region", "availability_zone", "instance_id", "access_key_id",
                              "secret_access_key", "session_token", "device_map_hook", "mount_root", "mkfs",
                              "wait_timeout_seconds", "detach_timeout_seconds", "device_timeout_seconds",
                              "poll_interval_seconds", "request_timeout_seconds", "tags"]

    public static func resolve(config: JSONValue, environment: [String: String], defaultMountRoot: String) throws(EBSInputError) -> EBSSettings {
        func setting(_ key: String, _ variables: [String]) -> String? {
            if let value = config[key]?.stringValue, !value.isEmpty { return value }
            for name in variables { if let value = environment[name], !value.isEmpty { return value } }
            return nil
        }
        func required(_ key: String, _ variables: [String], _ example: String) throws(EBSInputError) -> String {
            guard let value = setting(key, variables) else {
                let env = variables.isEmpty ? "" : " or the environment variable \(variables.joined(separator: "/"))"
                throw EBSInputError("no \(key): set \"\(key)\" in the enable config\(env) (e.g. \(example))")
            }
            return value
        }
        func seconds(_ key: String, _ fallback: Double) throws(EBSInputError) -> Double {
            guard let raw = config[key] else { return fallback }
            guard let value = raw.doubleValue, value > 0, value <= 86400 else {
                throw EBSInputError("\(key) must be a number of seconds between 0 and 86400")
            }
            return value
        }
        let region = try required("region", ["AWS_REGION", "AWS_DEFAULT_REGION"], "us-east-1")
        let endpoint = setting("endpoint", ["AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL"]) ?? "https://ec2.\(region).amazonaws.com"
        guard endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") else {
            throw EBSInputError("endpoint \"\(endpoint)\" is not an http(s) URL")
        }
        let zone = try required("availability_zone", ["PADDOCK_EBS_AVAILABILITY_ZONE"], "\(region)a")
        let instance = try required("instance_id", ["PADDOCK_EBS_INSTANCE_ID"], "i-0123456789abcdef0")
        let access = try required("access_key_id", ["AWS_ACCESS_KEY_ID"], "AKIA…")
        let secret = try required("secret_access_key", ["AWS_SECRET_ACCESS_KEY"], "the key's secret")
        var tags: [(String, String)] = []
        if let object = config["tags"]?.objectValue {
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                guard let text = value.stringValue else { throw EBSInputError("tags.\(key) must be a string") }
                tags.append((key, text))
            }
        }
        return EBSSettings(
            endpoint: endpoint, region: region, zone: zone, instanceID: instance,
            accessKeyID: access, secretAccessKey: secret,
            sessionToken: setting("session_token", ["AWS_SESSION_TOKEN"]),
            deviceMapHook: config["device_map_hook"]?.stringValue,
            mountRoot: config["mount_root"]?.stringValue ?? defaultMountRoot,
            mkfs: config["mkfs"]?.stringValue ?? "/sbin/mkfs.ext4",
            waitTimeout: try seconds("wait_timeout_seconds", 300),
            detachTimeout: try seconds("detach_timeout_seconds", 120),
            deviceTimeout: try seconds("device_timeout_seconds", 60),
            pollInterval: try seconds("poll_interval_seconds", 2),
            requestTimeout: try seconds("request_timeout_seconds", 30),
            tags: tags)
    }

    public var description: String {
        "endpoint \(endpoint), region \(region), zone \(zone), instance \(instanceID), access key \(accessKeyID) (secret redacted)"
    }
}
