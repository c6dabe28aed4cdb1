import Crypto
import Foundation
import PaddockJSON
import PaddockPosix

/// Answers FlexVolume call-outs with one storage driver. Without attach (the driver's capabilities
/// say so, and `init` tells kubelet), kubelet only calls mount and unmount: mount provisions the
/// volume if needed, mounts it through the driver and bind-mounts the driver's mountpoint onto
/// kubelet's directory; unmount finds the volume from the directory alone through the records.
public struct FlexVolumeAdapter: Sendable {
    public let manager: VolumeManager
    /// How long waitforattach waits for the device node to appear.
    public var deviceWaitSeconds: Double = 30

    public init(manager: VolumeManager) { self.manager = manager }

    public func run(_ call: FlexVolumeCall) -> FlexVolumeResult {
        do {
            return try answer(call)
        } catch where error.code == .notSupported {
            return FlexVolumeResult(.notSupported, message: error.description)
        } catch {
            return FlexVolumeResult(.failure, message: error.description)
        }
    }

    /// The mount id of kubelet's directory: stable, short, and the same for every call.
    public static func mountID(directory: String) -> String {
        "k8s-" + SHA256.hash(data: Data(directory.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    private func answer(_ call: FlexVolumeCall) throws(VolumeError) -> FlexVolumeResult {
        let driver = manager.driver
        switch call {
        case .initialize:
            let capabilities = try driver.capabilities()
            return FlexVolumeResult(.success, message: "paddock \(driver.name) ready",
                                    capabilities: ["attach": .bool(capabilities.attach)])
        case .getVolumeName(let options):
            let name = try FlexVolumeOptions(options).requireName("getvolumename")
            try VolumeName.validate(name)
            return FlexVolumeResult(.success, volumeName: name)
        case .attach(let options, let node):
            try requireAttach("attach")
            let parsed = FlexVolumeOptions(options)
            let name = try parsed.requireName("attach")
            try manager.create(name, options: parsed.driverOptions)
            let answer = try driver.call("attach", .object(["name": .string(name), "node": .string(node),
                                                            "options": .object(parsed.driverOptions.mapValues { .string($0) })]))
            guard let device = answer["device"]?.stringValue, !device.isEmpty else {
                throw VolumeError(.driver, "plugin \(driver.name) attached \(name) but named no device")
            }
            return FlexVolumeResult(.success, device: device)
        case .detach(let volume, let node):
            try requireAttach("detach")
            _ = try driver.call("detach", .object(["name": .string(volume), "device": .string(volume), "node": .string(node)]))
            return FlexVolumeResult(.success)
        case .waitForAttach(let device, _):
            try requireAttach("waitforattach")
            let deadline = ChildProcess.monotonicSeconds() + deviceWaitSeconds
            while !FileSystem.exists(device) {
                guard ChildProcess.monotonicSeconds() < deadline else {
                    throw VolumeError(.driver, "device \(device) did not appear within \(Int(deviceWaitSeconds)) s",
                                      hint: "check that the volume is attached to this node (`isattached`)")
                }
                usleep(100_000)
            }
            return FlexVolumeResult(.success, device: device)
        case .isAttached(let options, _):
            try requireAttach("isattached")
            let name = try FlexVolumeOptions(options).requireName("isattached")
            let state: JSONValue
            do {
                state = try driver.call("get", .object(["name": .string(name)]))
            } catch where error.code == .notFound {
                return FlexVolumeResult(.success, attached: false)
            }
            let attached = state["status"]?["attached"]?.boolValue
                ?? !(state["device"]?.stringValue ?? state["status"]?["device"]?.stringValue ?? "").isEmpty
            return FlexVolumeResult(.success, attached: attached)
        case .mountDevice(let directory, _, let options):
            try requireAttach("mountdevice")
            return try mount(directory: directory, options: options, callout: "mountdevice")
        case .unmountDevice(let directory):
            try requireAttach("unmountdevice")
            return try unmount(directory: directory)
        case .mount(let directory, let options):
            return try mount(directory: directory, options: options, callout: "mount")
        case .unmount(let directory):
            return try unmount(directory: directory)
        case .other(let name):
            throw VolumeError(.notSupported, "paddock does not implement the call-out \(name)")
        }
    }

    private func requireAttach(_ callout: String) throws(VolumeError) {
        guard try manager.driver.capabilities().attach else {
            throw VolumeError(.notSupported, "plugin \(manager.driver.name) has no attach step, so \(callout) does not apply")
        }
    }

    private func mount(directory: String, options: JSONValue, callout: String) throws(VolumeError) -> FlexVolumeResult {
        guard directory.hasPrefix("/") else {
            throw VolumeError(.invalidOption, "\(callout): the mount directory \(directory) is not absolute")
        }
        let parsed = FlexVolumeOptions(options)
        let name = try parsed.requireName(callout)
        try manager.create(name, options: parsed.driverOptions)
        let path = try manager.mount(name, id: Self.mountID(directory: directory), target: directory, readOnly: parsed.readOnly)
        return FlexVolumeResult(.success, message: "volume \(name) mounted at \(path)")
    }

    private func unmount(directory: String) throws(VolumeError) -> FlexVolumeResult {
        guard let (record, mount) = manager.record(mountedAt: directory) else {
            return FlexVolumeResult(.success, message: "nothing of plugin \(manager.driver.name) is mounted at \(directory)")
        }
        try manager.unmount(record.name, id: mount.id)
        return FlexVolumeResult(.success, message: "volume \(record.name) unmounted from \(directory)")
    }
}
