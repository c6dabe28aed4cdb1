import PaddockHTTP
import PaddockJSON

/// The Docker volume-plugin protocol (docker/cli docs/extend/plugins_volume.md) over the
/// VolumeManager: one POST per call, a JSON body in, a JSON body out, errors in "Err".
public struct DockerVolumeAPI: Sendable {
    public static let contentType = "application/vnd.docker.plugins.v1+json"
    public let manager: VolumeManager

    public init(manager: VolumeManager) { self.manager = manager }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        guard request.method == "POST" else {
            return Self.reply(405, ["Err": .string("\(request.method) \(request.path): the plugin API takes POST only")])
        }
        let body: JSONValue
        if request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            body = .object([:])
        } else {
            do {
                body = try JSONValue(parsing: request.body)
            } catch {
                return Self.reply(400, ["Err": .string("\(request.path): the body is not JSON: \(error)")])
            }
        }
        guard let handler = Self.endpoints[request.path] else {
            return Self.reply(404, ["Err": .string("\(request.path) is not an endpoint of this volume plugin")])
        }
        do {
            return Self.reply(200, try handler(self, body))
        } catch {
            return Self.reply(500, ["Err": .string(error.description)])
        }
    }

    typealias Endpoint = @Sendable (DockerVolumeAPI, JSONValue) throws(VolumeError) -> [String: JSONValue]

    static let endpoints: [String: Endpoint] = [
        "/Plugin.Activate": { _, _ in ["Implements": ["VolumeDriver"]] },
        "/VolumeDriver.Capabilities": { api, _ throws(VolumeError) in
            ["Capabilities": ["Scope": .string(try api.manager.driver.capabilities().scope)]]
        },
        "/VolumeDriver.Create": { api, body throws(VolumeError) in
            let name = try field("Name", body)
            var options: [String: String] = [:]
            for (key, value) in body["Opts"]?.objectValue ?? [:] { options[key] = value.stringValue ?? value.serialized() }
            try api.manager.create(name, options: options)
            return ["Err": ""]
        },
        "/VolumeDriver.Remove": { api, body throws(VolumeError) in
            try api.manager.remove(try field("Name", body))
            return ["Err": ""]
        },
        "/VolumeDriver.Mount": { api, body throws(VolumeError) in
            let mountpoint = try api.manager.mount(try field("Name", body), id: try field("ID", body))
            return ["Mountpoint": .string(mountpoint), "Err": ""]
        },
        "/VolumeDriver.Unmount": { api, body throws(VolumeError) in
            try api.manager.unmount(try field("Name", body), id: try field("ID", body))
            return ["Err": ""]
        },
        "/VolumeDriver.Path": { api, body throws(VolumeError) in
            let name = try field("Name", body)
            try VolumeName.validate(name)
            let record = try api.manager.store.read(name)
            return ["Mountpoint": .string(record?.mountpoint ?? ""), "Err": ""]
        },
        "/VolumeDriver.Get": { api, body throws(VolumeError) in
            let (record, state) = try api.manager.inspect(try field("Name", body))
            return ["Volume": volume(record, status: state["status"]), "Err": ""]
        },
        "/VolumeDriver.List": { api, _ in
            let listing = api.manager.list()
            let recorded = listing.records.map { volume($0, status: nil) }
            let unrecorded = listing.unrecorded.map { JSONValue.object(["Name": .string($0), "Mountpoint": ""]) }
            return ["Volumes": .array(recorded + unrecorded), "Err": ""]
        },
    ]

    static func volume(_ record: VolumeRecord, status: JSONValue?) -> JSONValue {
        var object: [String: JSONValue] = ["Name": .string(record.name), "Mountpoint": .string(record.mountpoint),
                                           "CreatedAt": .string(record.createdAt)]
        if let status, status.objectValue != nil { object["Status"] = status }
        return .object(object)
    }

    static func field(_ key: String, _ body: JSONValue) throws(VolumeError) -> String {
        guard let value = body[key]?.stringValue else {
            throw VolumeError(.invalidOption, "the request needs a string \"\(key)\"")
        }
        return value
    }

    static func reply(_ status: Int, _ object: [String: JSONValue]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], body: Array(JSONValue.object(object).serialized().utf8))
    }
}
