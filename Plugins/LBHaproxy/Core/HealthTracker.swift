/// Maps HAProxy's server status to what rancher's healthcheck reports: UP, DOWN, MAINT or INIT.
/// Transitional states ("UP 1/3" going down, "DOWN 1/2" coming back) keep the last stable report,
/// so nothing flaps; a server coming UP after anything but UP or INIT is reported INIT first.
public enum HealthTracker {
    /// `previous` is what was reported last time (nil when never seen).
    public static func report(status: String, checkStatus: String, previous: String?) -> String {
        let word = status.split(separator: " ").first.map(String.init) ?? status
        let transitional = status.contains("/")
        switch word {
        case "MAINT", "DRAIN":
            return "MAINT"
        case "DOWN":
            if transitional { return previous ?? "INIT" }
            return "DOWN"
        case "UP", "no":
            if transitional { return previous ?? "UP" }
            if word == "no" { return previous == nil ? "INIT" : "UP" }  // "no check": nothing to wait for
            switch previous {
            case nil:
                return checkStatus.hasSuffix("OK") ? "UP" : "INIT"
            case "UP", "INIT":
                return checkStatus.isEmpty || checkStatus.hasSuffix("OK") ? "UP" : previous!
            default:
                return "INIT"
            }
        default:
            return previous ?? "INIT"
        }
    }
}

/// One row of `show stat` for a server.
public struct ServerStat: Equatable {
    public var backend: String
    public var server: String
    public var status: String
    public var checkStatus: String
    public var checkCode: String
    public var checkDuration: String
    public var address: String
    public var lastChange: String

    /// Parses the CSV of `show stat` (header line starts with "# pxname"), servers only.
    public static func parse(_ csv: String) -> [ServerStat] {
        var lines = csv.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let header = lines.first, header.hasPrefix("# ") else { return [] }
        let columns = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        func index(_ name: String) -> Int? { columns.firstIndex(of: name) }
        lines.removeFirst()
        var result: [ServerStat] = []
        for line in lines {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func field(_ name: String) -> String {
                guard let i = index(name), i < fields.count else { return "" }
                return fields[i]
            }
            guard field("type") == "2" else { continue }
            result.append(ServerStat(
                backend: field("pxname"), server: field("svname"), status: field("status"),
                checkStatus: field("check_status"), checkCode: field("check_code"),
                checkDuration: field("check_duration"), address: field("addr"), lastChange: field("lastchg")))
        }
        return result
    }
}
