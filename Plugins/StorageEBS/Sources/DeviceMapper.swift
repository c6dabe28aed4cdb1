import PaddockPluginKit
import PluginABI
import StorageEBSCore

/// Finds the block device this host sees for an attached volume: through the device-mapping
/// hook when the enable config names one, else by the EC2 naming rules (DeviceNames), waiting
/// up to the device timeout for it to appear.
struct DeviceMapper {
    let hook: String?
    let timeout: Double
    let interval: Double
    let log: (HostClient.Level, String) -> Void

    func locate(volumeID: String, device: String) throws(DriverError) -> String {
        let deadline = System.now() + timeout
        var candidates: [String]
        if let hook {
            let answer = try runHook(["attach", volumeID, device])
            guard let path = answer.split(separator: "\n").first.map(String.init), path.hasPrefix("/") else {
                throw .io("ebs: the device-mapping hook \(hook) printed no block device path for \(volumeID) (\(device)); it must print one absolute path such as /dev/loop3")
            }
            candidates = [path]
        } else {
            candidates = DeviceNames.hostCandidates(device: device, volumeID: volumeID)
        }
        while true {
            if let found = candidates.first(where: System.isBlockDevice) { return found }
            if hook == nil, let nvme = nvmeDevice(volumeID) { return nvme }
            if System.now() >= deadline { break }
            System.sleep(seconds: min(interval, 0.5))
        }
        throw DriverError(code: PADDOCK_E_TIMEOUT,
                          "ebs: \(volumeID) is attached as \(device) but no block device appeared within \(Int(timeout)) s (looked for \(candidates.joined(separator: ", "))\(hook == nil ? " and NVMe serials" : ""))",
                          details: hook == nil ? "set device_map_hook in the enable config if this host names disks differently" : "check the hook \(hook!)")
    }

    /// Tells the hook the volume left (it may free what it set up); a failure is only logged.
    func release(volumeID: String, device: String) {
        guard hook != nil else { return }
        do {
            _ = try runHook(["detach", volumeID, device])
        } catch {
            log(.warning, "device-mapping hook detach of \(volumeID) failed: \(error)")
        }
    }

    private func runHook(_ arguments: [String]) throws(DriverError) -> String {
        guard let hook else { return "" }
        let outcome = try System.run(hook, arguments, timeoutSeconds: timeout)
        guard outcome.status == 0 else {
            throw .io("ebs: the device-mapping hook \(hook) \(arguments.joined(separator: " ")) exited \(outcome.status): \(outcome.stderr.prefix(400))")
        }
        return outcome.stdout
    }

    /// /dev/nvmeNn1 whose controller serial is the volume ID without its dash (Nitro instances).
    private func nvmeDevice(_ volumeID: String) -> String? {
        for name in System.listDirectory("/sys/block") where name.hasPrefix("nvme") {
            if let serial = System.readFile("/sys/block/\(name)/device/serial"),
               DeviceNames.serialMatches(serial, volumeID: volumeID), System.isBlockDevice("/dev/\(name)") {
                return "/dev/\(name)"
            }
        }
        return nil
    }
}
