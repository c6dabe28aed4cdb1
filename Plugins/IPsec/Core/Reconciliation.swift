/// Desired connections against what charon has: which SAs belong to departed hosts and must be
/// terminated, and which wanted connections have no working tunnel and should be initiated.
public struct Reconciliation: Equatable, Sendable {
    public var terminate: [String]
    public var initiate: [String]

    public init(desired: [PeerHost], listing: SAListing) {
        let wanted = Set(desired.map(\.connectionName))
        terminate = listing.connections.keys.filter { $0.hasPrefix("conn-") && !wanted.contains($0) }.sorted()
        // A connection charon is still negotiating (CONNECTING, keyingtries = 0 keeps it trying) is
        // left alone; one with no SA, or an IKE SA without its CHILD SA, is initiated.
        initiate = desired.map(\.connectionName).filter { name in
            guard let entry = listing.connections[name] else { return true }
            return entry.ikeStates.contains("ESTABLISHED") && !entry.childStates.contains("INSTALLED")
        }
    }
}
