import ArgumentParser
import Dispatch
import Foundation
import Glibc
import PaddockCore
import PaddockHost

struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Publish this host to the etcd metadata store and keep network drivers in step with its peers.",
        discussion: """
            The agent needs an etcd metadata store in paddock.json: {"metadata": {"host": NAME, \
            "etcd": {"endpoints": ["http://127.0.0.1:2379"], "prefix": "/paddock/"}}}. This host's \
            record — {"name", "agent_ip", "labels", …fields} — is written to PREFIX hosts/NAME under \
            an etcd lease, so the record of a host that goes away disappears when its lease runs \
            out. When etcd cannot be reached the command retries a bounded number of times \
            (metadata.etcd.attempts, timeout_seconds) and then fails naming the endpoints; a record \
            is never left written without its lease.
            """,
        subcommands: [AgentPublish.self, AgentRun.self]
    )
}

/// The options that make up this host's record.
struct HostRecordOptions: ParsableArguments {
    @Option(help: ArgumentHelp("This host's name (default: metadata.host in paddock.json, else the hostname); a different name than the one this host's drivers look themselves up by is published with a warning.", valueName: "name"))
    var name: String?

    @Option(name: .customLong("agent-ip"), help: ArgumentHelp("This host's underlay IPv4 address, which peers' network drivers tunnel to.", valueName: "address"))
    var agentIP: String

    @Option(name: .customLong("label"), help: ArgumentHelp("A host label KEY=VALUE (repeatable).", valueName: "key=value"))
    var labels: [String] = []

    @Option(name: .customLong("field"), help: ArgumentHelp("An extra record field KEY=VALUE for drivers; VALUE is JSON when it parses, else a string (repeatable).", valueName: "key=value"))
    var fields: [String] = []

    @Option(help: ArgumentHelp("Seconds the record outlives its publisher (the etcd lease's TTL).", valueName: "seconds"))
    var ttl: Int = 15

    func validate() throws {
        for item in labels + fields where !item.contains("=") || item.hasPrefix("=") {
            throw ValidationError("\"\(item)\" is not KEY=VALUE")
        }
        guard (2...86400).contains(ttl) else { throw ValidationError("--ttl must be 2–86400 seconds") }
    }

    func record(_ settings: MetadataSettings) -> HostRecord {
        func split(_ item: String) -> (String, String) {
            let index = item.firstIndex(of: "=")!
            return (String(item[..<index]), String(item[item.index(after: index)...]))
        }
        var labelMap: [String: String] = [:]
        for item in labels { let (key, value) = split(item); labelMap[key] = value }
        var fieldMap: [String: JSONValue] = [:]
        for item in fields {
            let (key, value) = split(item)
            fieldMap[key] = (try? JSONValue(parsing: value)) ?? .string(value)
        }
        return HostRecord(name: name ?? settings.host ?? ProcessInfo.processInfo.hostName, agentIP: agentIP,
                          labels: labelMap, fields: fieldMap)
    }
}

extension GlobalOptions {
    /// The agent for this configuration, or the error saying how to configure etcd.
    func agent(_ recordOptions: HostRecordOptions, options: HostAgent.Options) throws(HostError) -> HostAgent {
        let (configuration, _) = hostConfiguration()
        guard let etcd = configuration.settings.metadata.etcd else {
            throw HostError(.invalidConfig, "the agent needs an etcd metadata store, and \(configuration.configDirectory)/paddock.json names none",
                            hint: "add {\"metadata\": {\"etcd\": {\"endpoints\": [\"http://127.0.0.1:2379\"]}}} to it")
        }
        let client = EtcdClient(settings: etcd, settingsFile: "\(configuration.configDirectory)/paddock.json")
        let record = recordOptions.record(configuration.settings.metadata)
        try record.validate()
        // Drivers on this host find themselves in metadata as metadata.host (else the hostname).
        let selfName = configuration.settings.metadata.host ?? ProcessInfo.processInfo.hostName
        if record.name != selfName {
            FileHandleOutput.standardError("""
                paddock: warning: publishing host \(record.name), but this host's drivers look themselves up as \(selfName)
                  hint: set "metadata": {"host": "\(record.name)"} in \(configuration.configDirectory)/paddock.json, or drop --name
                """)
        }
        return HostAgent(client: client, record: record, options: options)
    }
}

struct AgentPublish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Write this host's record once, under a lease of --ttl seconds.",
        discussion: """
            The record stays for --ttl seconds and then disappears unless `paddock agent run` keeps \
            it alive. Prints the record and the lease ID.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var record: HostRecordOptions

    func run() throws {
        var options = HostAgent.Options()
        options.ttlSeconds = record.ttl
        let lease: Int64
        let agent: HostAgent
        do {
            agent = try global.agent(record, options: options)
            lease = try agent.publish()
        } catch {
            throw fail(error)
        }
        let json = agent.record.json
        switch global.format {
        case .json:
            print(JSONValue.object(["record": json, "lease": .string(String(lease)), "ttl": .number(Double(record.ttl))]).serialized(pretty: true))
        case .table:
            print("Published \(agent.record.name) (\(agent.record.agentIP)) under lease \(lease), expiring in \(record.ttl) s unless renewed.")
        }
    }
}

struct AgentRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Keep this host's record alive, watch the hosts, and notify network drivers.",
        discussion: """
            Publishes the record, renews its lease every third of --ttl, and watches the hosts \
            through etcd's watch (re-reading them every --watch-interval seconds as well, in case the \
            watch broke). When a host appears, changes or disappears — and every \
            --interval seconds in any case — every enabled network driver gets \
            notify({"type": "metadata.changed"}) and reconciles (in its worker process when it \
            was enabled with --isolation process). While etcd is unreachable the agent reports it and \
            keeps trying; the record comes back under a new lease. SIGTERM or SIGINT revokes the \
            lease, so the record disappears at once. One line per event on standard output \
            (JSON lines with --format json).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var record: HostRecordOptions

    @Option(help: ArgumentHelp("Seconds between notifications when nothing changed (drivers supervise their daemons then).", valueName: "seconds"))
    var interval: Double = 30

    @Option(name: .customLong("watch-interval"), help: ArgumentHelp("Seconds between reads of the hosts when no watch event came.", valueName: "seconds"))
    var watchInterval: Double = 1

    func validate() throws {
        guard interval > 0, watchInterval > 0 else { throw ValidationError("--interval and --watch-interval must be positive") }
    }

    func run() throws {
        var options = HostAgent.Options()
        options.ttlSeconds = record.ttl
        options.notifyInterval = interval
        options.watchInterval = watchInterval
        let stop = StopFlag()
        stop.install()
        let runtime = PluginRuntime(catalog: global.catalog(), logger: global.logger)
        defer { runtime.shutdown() }
        let format = global.format
        do {
            let agent = try global.agent(record, options: options)
            try agent.run(shouldStop: { stop.isSet },
                          notify: { reason in HostAgent.notifyNetworkDrivers(runtime, reason: reason) },
                          report: { AgentRun.print(event: $0, format: format) })
        } catch {
            throw fail(error)
        }
    }

    static func print(event: HostAgent.Event, format: OutputFormat) {
        let json: JSONValue
        let text: String
        switch event {
        case .published(let lease):
            json = ["event": "published", "lease": .string(String(lease))]
            text = "published this host under lease \(lease)"
        case .hostsChanged(let hosts):
            json = ["event": "hosts", "hosts": .array(hosts.map { .string($0) })]
            text = "hosts: \(hosts.joined(separator: ", "))"
        case .notified(let driver, let reason, let ok, let message):
            json = ["event": "notified", "driver": .string(driver), "reason": .string(reason), "ok": .bool(ok), "message": .string(message)]
            text = "notified \(driver) (\(reason))" + (ok ? "" : ": \(message)")
        case .problem(let message):
            json = ["event": "problem", "message": .string(message)]
            text = "problem: \(message)"
        case .stopped:
            json = ["event": "stopped"]
            text = "stopped; lease revoked"
        }
        let line = format == .json ? json.serialized() : text
        Swift.print(line)
        fflush(nil)  // all streams: `stdout` itself is not concurrency-safe to name in Swift 6
    }
}

/// Set by SIGTERM or SIGINT, read by the agent loop.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var sources: [any DispatchSourceSignal] = []

    var isSet: Bool { lock.withLock { stopped } }

    func install() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in lock.withLock { stopped = true } }
            source.resume()
            sources.append(source)
        }
    }
}
