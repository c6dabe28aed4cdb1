import PaddockJSON

/// One FlexVolume call-out with its arguments in the order kubelet and the controller manager pass
/// them (kubernetes/community contributors/devel/sig-storage/flexvolume.md).
public enum FlexVolumeCall: Equatable, Sendable {
    case initialize
    case getVolumeName(options: JSONValue)
    case attach(options: JSONValue, node: String)
    case detach(volume: String, node: String)
    case waitForAttach(device: String, options: JSONValue)
    case isAttached(options: JSONValue, node: String)
    case mountDevice(directory: String, device: String, options: JSONValue)
    case unmountDevice(directory: String)
    case mount(directory: String, options: JSONValue)
    case unmount(directory: String)
    /// A call-out this version does not know (expandvolume, …): answered "Not supported".
    case other(String)

    /// The usage line of each call-out, for errors.
    static let usage: [String: String] = [
        "init": "init", "getvolumename": "getvolumename <json options>",
        "attach": "attach <json options> <node name>", "detach": "detach <volume name> <node name>",
        "waitforattach": "waitforattach <device> <json options>", "isattached": "isattached <json options> <node name>",
        "mountdevice": "mountdevice <mount dir> <device> <json options>", "unmountdevice": "unmountdevice <mount dir>",
        "mount": "mount <mount dir> <json options>", "unmount": "unmount <mount dir>",
    ]

    /// Parses `call-out args…`; a wrong argument count or options that are not a JSON object is an
    /// error whose text names the call-out's usage.
    public static func parse(_ arguments: [String]) throws(VolumeError) -> FlexVolumeCall {
        guard let name = arguments.first else {
            throw VolumeError(.invalidOption, "no call-out given", hint: "call with one of: \(usage.keys.sorted().joined(separator: ", "))")
        }
        let rest = Array(arguments.dropFirst())
        func need(_ count: Int) throws(VolumeError) {
            // kubelet passes a device path after the directory to unmountdevice on some versions.
            let allowed = name == "unmountdevice" ? count...(count + 1) : count...count
            guard allowed.contains(rest.count) else {
                throw VolumeError(.invalidOption, "\(name) takes \(count) argument\(count == 1 ? "" : "s"), got \(rest.count)",
                                  hint: "usage: \(usage[name] ?? name)")
            }
        }
        func options(_ text: String) throws(VolumeError) -> JSONValue {
            let value: JSONValue
            do {
                value = try JSONValue(parsing: text)
            } catch {
                throw VolumeError(.invalidOption, "the options of \(name) are not JSON: \(error)", hint: "usage: \(usage[name] ?? name)")
            }
            guard value.objectValue != nil else {
                throw VolumeError(.invalidOption, "the options of \(name) must be a JSON object, not \(value.typeName)")
            }
            return value
        }
        switch name {
        case "init":
            try need(0)
            return .initialize
        case "getvolumename":
            try need(1)
            return .getVolumeName(options: try options(rest[0]))
        case "attach":
            try need(2)
            return .attach(options: try options(rest[0]), node: rest[1])
        case "detach":
            try need(2)
            return .detach(volume: rest[0], node: rest[1])
        case "waitforattach":
            try need(2)
            return .waitForAttach(device: rest[0], options: try options(rest[1]))
        case "isattached":
            try need(2)
            return .isAttached(options: try options(rest[0]), node: rest[1])
        case "mountdevice":
            try need(3)
            return .mountDevice(directory: rest[0], device: rest[1], options: try options(rest[2]))
        case "unmountdevice":
            try need(1)
            return .unmountDevice(directory: rest[0])
        case "mount":
            try need(2)
            return .mount(directory: rest[0], options: try options(rest[1]))
        case "unmount":
            try need(1)
            return .unmount(directory: rest[0])
        default:
            return .other(name)
        }
    }
}
