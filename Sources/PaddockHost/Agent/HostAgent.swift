import Foundation
import PaddockCore
import PaddockPosix

/// The host agent: keeps this host's record in etcd under a lease (so a departed host's record
/// disappears when the lease runs out), watches the hosts, and tells every enabled network driver
/// `{"type":"metadata.changed"}` when they change and periodically, so drivers reconcile peers
/// and can supervise their daemons.
///
/// Watching: a streaming etcd watch on the hosts' prefix wakes the agent at once on any put,
/// delete or lease expiry; the agent then re-reads the prefix and compares (key, mod_revision)
/// pairs with what it saw last. The same read also runs every `watchInterval` without an event,
/// so a watch that broke (etcd restarted) or an event that was missed costs at most that delay.
public final class HostAgent: @unchecked Sendable {
    public struct Options: Sendable {
        public var ttlSeconds: Int = 15
        /// Periodic notification, for drivers that supervise daemons.
        public var notifyInterval: Double = 30
        /// Reads of the hosts without a watch event (the watch's safety net).
        public var watchInterval: Double = 1
        public init() {}
    }

    public enum Event: Sendable, Equatable {
        case published(lease: Int64)
        case hostsChanged([String])
        case notified(driver: String, reason: String, ok: Bool, message: String)
        case problem(String)
        case stopped
    }

    let client: EtcdClient
    public let record: HostRecord
    let options: Options
    var prefix: String { client.settings.prefix }

    public init(client: EtcdClient, record: HostRecord, options: Options = Options()) {
        self.client = client
        self.record = record
        self.options = options
    }

    /// Grants a lease and writes the record under it. When the write fails the lease is revoked,
    /// so nothing is left half-published.
    public func publish() throws(HostError) -> Int64 {
        try record.validate()
        let lease = try client.grantLease(ttl: options.ttlSeconds)
        do {
            try client.put(EtcdMetadataLayout.hostKey(prefix, record.name), Array(record.json.serialized().utf8), lease: lease)
        } catch {
            try? client.revoke(lease: lease)
            throw error
        }
        return lease
    }

    /// The hosts' keys and revisions: equal snapshots mean nothing changed.
    public func hostsSnapshot() throws(HostError) -> [String: Int64] {
        let result = try client.range(prefix: EtcdMetadataLayout.hostsPrefix(prefix))
        return Dictionary(result.kvs.map { ($0.key, $0.modRevision) }, uniquingKeysWith: { a, _ in a })
    }

    /// Runs until `shouldStop` says so; then revokes the lease so the record goes at once.
    /// `notify` delivers the event to every enabled network driver and reports each outcome.
    public func run(shouldStop: @escaping @Sendable () -> Bool,
                    notify: @escaping (_ reason: String) -> [Event],
                    report: @escaping (Event) -> Void) throws(HostError) {
        var lease = try publish()
        report(.published(lease: lease))
        let now = { ChildProcess.monotonicSeconds() }
        let renewal = Double(options.ttlSeconds) / 3
        var lastHosts: [String: Int64]?
        var nextKeepAlive = now() + renewal
        var nextRead = now()
        var nextPeriodic = now() + options.notifyInterval
        var leaseLost = false
        var woken = false
        var watch: EtcdWatch?
        var watches = 0
        defer { watch?.cancel() }
        while !shouldStop() {
            do throws(HostError) {
                if leaseLost || now() >= nextKeepAlive {
                    let expired = leaseLost ? true : (try client.keepAlive(lease: lease)) <= 0
                    if expired {
                        lease = try publish()
                        report(.published(lease: lease))
                    }
                    leaseLost = false
                    nextKeepAlive = now() + renewal
                }
                if watch?.isOpen != true {
                    watch?.cancel()
                    watch = EtcdWatch(client: client, prefix: EtcdMetadataLayout.hostsPrefix(prefix), endpointIndex: watches)
                    watches += 1
                }
                if woken || now() >= nextRead {
                    nextRead = now() + options.watchInterval
                    let hosts = try hostsSnapshot()
                    if hosts != lastHosts {
                        lastHosts = hosts
                        report(.hostsChanged(hosts.keys.map { String($0.dropFirst(EtcdMetadataLayout.hostsPrefix(prefix).count)) }.sorted()))
                        notify("hosts").forEach(report)
                        nextPeriodic = now() + options.notifyInterval
                    }
                }
            } catch {
                // etcd is away: keep going; the record comes back with a new lease when it returns.
                report(.problem(error.description))
                leaseLost = true
                nextKeepAlive = now() + renewal
                nextRead = now() + min(options.watchInterval, renewal)
            }
            if now() >= nextPeriodic {
                notify("periodic").forEach(report)
                nextPeriodic = now() + options.notifyInterval
            }
            // Sleep until a watch event, the next read, a lease renewal or a periodic notification.
            woken = false
            let wake = min(nextRead, nextKeepAlive, nextPeriodic)
            while !shouldStop() && now() < wake {
                if let watch, watch.isOpen {
                    if watch.wait(seconds: min(0.2, max(0, wake - now()))) {
                        woken = true
                        break
                    }
                } else {
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
        }
        try? client.revoke(lease: lease)
        report(.stopped)
    }

    /// Notifies every enabled network driver of `runtime`, in process or in its worker.
    public static func notifyNetworkDrivers(_ runtime: PluginRuntime, reason: String) -> [Event] {
        let drivers: [DiscoveredPlugin]
        do {
            drivers = try runtime.catalog.list().filter { $0.status == .enabled && $0.kinds.contains(.network) }
        } catch {
            return [.problem("cannot list plugins: \(error)")]
        }
        return drivers.map { driver in
            do {
                let result = try runtime.handle(named: driver.name).notifyEvent(["type": "metadata.changed", "reason": .string(reason)])
                return .notified(driver: driver.name, reason: reason, ok: result.isSuccess,
                                 message: result.isSuccess ? "" : result.errorMessage)
            } catch {
                return .notified(driver: driver.name, reason: reason, ok: false, message: "\(error)")
            }
        }
    }
}
