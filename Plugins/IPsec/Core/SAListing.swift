/// What `swanctl --list-sas` and `--list-conns` print, read back: which IKE and CHILD SAs exist for
/// each connection and in which state.
public struct SAListing: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public var ikeStates: [String] = []
        public var childStates: [String] = []

        public var isUp: Bool { ikeStates.contains("ESTABLISHED") && childStates.contains("INSTALLED") }
    }

    public var connections: [String: Entry] = [:]

    public init() {}

    /// `NAME: #1, ESTABLISHED, IKEv2, …` starts an IKE SA; an indented `NAME: #3, reqid 1,
    /// INSTALLED, TUNNEL-in-UDP, …` is one of its CHILD SAs.
    public init(listSAs text: String) {
        var current: String?
        for line in text.split(separator: "\n") {
            let indented = line.first == " "
            let trimmed = line.drop { $0 == " " }
            guard let colon = trimmed.firstIndex(of: ":") else { continue }
            let name = String(trimmed[..<colon])
            let fields = trimmed[trimmed.index(after: colon)...].split(separator: ",").map { $0.trimmingSpaces() }
            guard fields.first?.hasPrefix("#") == true else { continue }
            if !indented {
                current = name
                connections[name, default: Entry()].ikeStates.append(fields.count > 1 ? fields[1] : "")
            } else if let ike = current, fields.count > 2, fields[1].hasPrefix("reqid") {
                connections[ike, default: Entry()].childStates.append(fields[2])
            }
        }
    }

    /// Connection names from `swanctl --list-conns` (top-level `NAME: IKEv2, …` lines).
    public static func loadedConnections(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line -> String? in
            guard line.first != " ", let colon = line.firstIndex(of: ":") else { return nil }
            let rest = line[line.index(after: colon)...].trimmingSpaces()
            return rest.hasPrefix("IKEv") ? String(line[..<colon]) : nil
        }
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
