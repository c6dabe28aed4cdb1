import Glibc
import PaddockPluginKit
import PaddockPosix
import PluginABI
import StorageEBSCore

/// rancher-ebs semantics over the EC2 Query API. Every operation runs in one `paddock` process
/// and may wait (bounded) for EC2; what must survive between operations lives in the host's KV
/// store (`volume/<name>` records, `device/<instance>/<name>` reservations).
final class EBSDriver: StorageDriver {
    let host: HostClient
    let config: JSONValue
    private var cachedSettings: EBSSettings?
    private var cachedClient: EC2Client?

    init(host: HostClient, config: JSONValue) throws(DriverError) {
        self.host = host
        self.config = config
        if case .object(let object) = config {
            let unknown = object.keys.filter { !EBSSettings.keys.contains($0) }.sorted()
            guard unknown.isEmpty else {
                throw .invalidConfig("ebs: unknown enable-config key\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); known: \(EBSSettings.keys.joined(separator: ", "))")
            }
        }
    }

    // MARK: settings and EC2

    /// Resolved on first use, so enabling the plugin needs no credentials in the environment.
    func settings() throws(DriverError) -> EBSSettings {
        if let cachedSettings { return cachedSettings }
        do {
            let resolved = try EBSSettings.resolve(config: config, environment: ChildProcess.currentEnvironment(),
                                                   defaultMountRoot: host.stateDirectory + "/mounts")
            cachedSettings = resolved
            return resolved
        } catch {
            throw .invalidConfig("ebs: \(error.message)")
        }
    }

    func ec2() throws(DriverError) -> EC2Client {
        if let cachedClient { return cachedClient }
        let client = try EC2Client(settings: settings(), log: { [host] level, text in host.log(level, text) })
        cachedClient = client
        return client
    }

    /// One EC2 call; an error becomes a DriverError saying what failed and what to do.
    func perform(_ call: EC2Call, volume: String, volumeID: String? = nil, snapshotID: String? = nil) throws(DriverError) -> XMLTree {
        let client = try ec2()
        do {
            return try client.perform(call)
        } catch {
            throw describe(error, call.action, volume: volume, volumeID: volumeID, snapshotID: snapshotID)
        }
    }

    func describe(_ failure: EC2Failure, _ action: String, volume: String, volumeID: String?, snapshotID: String?) -> DriverError {
        let s = cachedSettings
        switch failure {
        case .transport(let text):
            return DriverError(code: PADDOCK_E_UNAVAILABLE, "ebs: volume \(volume): \(action) failed: \(text)",
                               details: "check endpoint (or AWS_ENDPOINT_URL_EC2) and that EC2 is reachable from this host")
        case .service(let error):
            let context = EC2ErrorAdvice.Context(region: s?.region ?? "?", zone: s?.zone ?? "?", instanceID: s?.instanceID ?? "?",
                                                 volumeID: volumeID, snapshotID: snapshotID)
            let advice = EC2ErrorAdvice.advice(for: error, context)
            let code: Int32
            switch error.code {
            case "InvalidVolume.NotFound", "InvalidSnapshot.NotFound", "InvalidInstanceID.NotFound": code = PADDOCK_E_NOT_FOUND
            case "VolumeInUse", "IncorrectState": code = PADDOCK_E_BUSY
            case "AuthFailure", "UnauthorizedOperation", "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken":
                code = PADDOCK_E_REFUSED
            default: code = error.isRetryable ? PADDOCK_E_TRY_AGAIN : PADDOCK_E_INVALID_CONFIG
            }
            return DriverError(code: code, "ebs: volume \(volume): \(action) failed: \(error.code) — \(advice)",
                               details: error.description)
        }
    }

    func describeVolume(_ id: String, volume: String) throws(DriverError) -> EC2Volume? {
        let client = try ec2()
        do {
            return EC2Volume.list(in: try client.perform(.describeVolumes([id]))).first { $0.id == id }
        } catch {
            if case .service(let failure) = error, failure.isNotFound { return nil }
            throw describe(error, "DescribeVolumes", volume: volume, volumeID: id, snapshotID: nil)
        }
    }

    /// Polls DescribeVolumes until `goal`, a dead end, or `timeout`.
    func wait(_ volumeID: String, for goal: VolumeWaiter.Goal, timeout: Double, volume: String) throws(DriverError) -> VolumeWaiter.Outcome {
        let interval = try settings().pollInterval
        let outcome = try VolumeWaiter.wait(for: goal, timeout: timeout, interval: interval, now: System.now,
                                            sleep: System.sleep(seconds:)) { () throws(DriverError) -> EC2Volume? in
            try describeVolume(volumeID, volume: volume)
        }
        switch outcome {
        case .reached(let polls): host.log(.debug, "\(volumeID) \(goal) after \(polls) poll\(polls == 1 ? "" : "s")")
        case .timedOut(let seen, let polls): host.log(.info, "\(volumeID) not \(goal) after \(polls) polls: last seen \(seen)")
        case .failed(let reason): host.log(.info, "\(volumeID) cannot become \(goal): \(reason)")
        }
        return outcome
    }

    /// Waits and turns anything but `reached` into an error.
    func require(_ volumeID: String, _ goal: VolumeWaiter.Goal, timeout: Double, volume: String) throws(DriverError) {
        switch try wait(volumeID, for: goal, timeout: timeout, volume: volume) {
        case .reached: return
        case .timedOut(let seen, _):
            throw DriverError(code: PADDOCK_E_TIMEOUT, "ebs: volume \(volume) (\(volumeID)) did not become \(goal) within \(Int(timeout)) s; last state \(seen)",
                              details: "raise wait_timeout_seconds, or look at the volume in the EC2 console")
        case .failed(let reason):
            throw .io("ebs: volume \(volume) (\(volumeID)) cannot become \(goal): \(reason)")
        }
    }

    // MARK: requests, records and locks

    func name(_ request: JSONValue) throws(DriverError) -> VolumeName {
        guard let text = request["name"]?.stringValue else {
            throw .invalidConfig("ebs: the request has no \"name\"; send {\"name\": \"VOLUME\", …}")
        }
        do {
            return try VolumeName(text)
        } catch {
            throw .invalidConfig("ebs: \(error.message)")
        }
    }

    func record(_ name: VolumeName) throws(DriverError) -> VolumeRecord? {
        let key = VolumeRecord.key(name)
        guard let bytes = try host.get(key) else { return nil }
        do {
            return try VolumeRecord.decode(bytes, key: key)
        } catch {
            throw DriverError(code: PADDOCK_E_IO, "ebs: volume \(name): \(error.message)", details: "store kv/\(host.pluginName).json, key \(key)")
        }
    }

    func save(_ record: VolumeRecord) throws(DriverError) {
        try host.put("volume/\(record.name)", record.encoded())
    }

    /// Serializes the operations on one volume across `paddock` processes (flock on a file named
    /// by a hash of the volume name: names may be 255 bytes, too long with a suffix).
    func locked<T>(_ name: VolumeName, _ body: () throws(DriverError) -> T) throws(DriverError) -> T {
        let directory = host.stateDirectory + "/locks"
        try System.makeDirectories(directory)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.value.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let fd = try System.lock(directory + "/" + String(hash, radix: 16) + ".lock")
        defer { System.release(fd) }
        return try body()
    }

    func emit(_ type: String, _ fields: [String: JSONValue]) {
        var event = fields
        event["type"] = .string(type)
        do { try host.emit(.object(event)) } catch { host.log(.warning, "cannot record event \(type): \(error)") }
    }
}
