/// Removes the conntrack entries of mappings that went away: without this a UDP flow (or a TCP
/// one in progress) keeps its old DNAT to the container that no longer owns the port.
enum ConntrackFlush {
    /// The conntrack arguments that select flows DNATed to this mapping's container port.
    static func arguments(_ record: ContainerPorts, _ mapping: PortMapping) -> [String] {
        var arguments = ["-D", "-p", mapping.proto.rawValue, "--orig-port-dst", String(mapping.hostPort),
                         "--reply-src", record.address.description, "--reply-port-src", String(mapping.containerPort)]
        if let hostIP = mapping.hostIP { arguments += ["--orig-dst", hostIP.description] }
        return arguments
    }

    /// Deletes the flows; returns how many went. conntrack exits 1 when nothing matched.
    static func flush(_ record: ContainerPorts, _ mapping: PortMapping, _ runner: NamespaceCommand) throws(HostPortsError) -> Int {
        let outcome = try runner.attempt("conntrack", arguments(record, mapping))
        let count = deletedCount(outcome.stderr)
        if outcome.status == 0 || (outcome.status == 1 && count == 0) { return count ?? 0 }
        throw HostPortsError(.command, "conntrack could not delete the flows of \(mapping) for \(record.container): \(outcome.stderr)",
                             hint: "check that the kernel has conntrack and that Paddock runs as root")
    }

    /// "conntrack v1.4.7 (conntrack-tools): 4 flow entries have been deleted."
    static func deletedCount(_ text: String) -> Int? {
        guard let range = text.range(of: " flow entr") else { return nil }
        let prefix = text[..<range.lowerBound]
        return Int(prefix.split(separator: " ").last ?? "")
    }
}
