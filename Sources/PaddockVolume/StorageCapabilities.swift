import PaddockJSON

/// What a storage driver's `capabilities` operation says about it.
public struct StorageCapabilities: Sendable, Equatable {
    /// "local" (a volume lives on this host) or "global" (visible from every host).
    public var scope: String
    /// Whether the driver has attach/detach (FlexVolume's `capabilities.attach`).
    public var attach: Bool
    /// The per-volume option names the driver declares ("options": [...]); the adapters refuse any
    /// other before the driver is called. nil when the driver declares none: it checks its
    /// options itself (StorageNFS and StorageEBS refuse unknown ones by name).
    public var options: [String]?

    public init(scope: String = "local", attach: Bool = false, options: [String]? = nil) {
        self.scope = scope
        self.attach = attach
        self.options = options
    }

    public init(_ document: JSONValue) {
        let scope = document["scope"]?.stringValue ?? "local"
        self.scope = scope == "global" ? "global" : "local"
        attach = document["attach"]?.boolValue ?? false
        options = document["options"]?.arrayValue?.compactMap { $0.stringValue ?? $0["name"]?.stringValue }
    }
}
