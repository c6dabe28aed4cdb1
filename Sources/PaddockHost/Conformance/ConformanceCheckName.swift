import PaddockCore

/// The names of the kit's checks, as `paddock plugin test` prints them. Tests and scripts match on
/// them, so they are part of the command's interface.
public enum ConformanceCheckName {
    public static let negotiationAccepts = "negotiation.accepts-host-range"
    public static let negotiationRefuses = "negotiation.refuses-impossible-range"
    public static let manifestAgrees = "manifest.matches-descriptor"
    public static let pluginTable = "table.plugin"
    public static let create = "create"
    public static let threadSafety = "thread-safety"
    public static let destroy = "destroy"

    public static func table(_ kind: PluginKind) -> String { "table.\(kind.rawValue)" }

    public static func payload(_ kind: PluginKind, _ operation: String, _ payload: PayloadCase) -> String {
        "\(kind.rawValue).\(operation).\(payload.rawValue)"
    }

    public static func idempotentTeardown(_ kind: PluginKind, _ operation: String) -> String {
        "\(kind.rawValue).\(operation).idempotent"
    }
}

/// The four kinds of request every operation must survive.
public enum PayloadCase: String, CaseIterable, Sendable {
    /// A plausible request for the operation.
    case validJSON = "valid-json"
    /// Truncated JSON and text that is not JSON at all.
    case invalidJSON = "invalid-json"
    /// Length 0, with a NULL pointer and with a non-NULL one (means `{}`).
    case empty = "empty-payload"
    /// Well-formed JSON that is not an object: an array, a string, a number, null.
    case nonObject = "non-object"
}
