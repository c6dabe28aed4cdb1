import Foundation
import PaddockCore
import PaddockPosix

/// Events plugins publish: one JSON line each in `events.jsonl`, stamped with plugin and time.
/// Appends use O_APPEND with one write per line so concurrent processes never interleave.
public struct EventLog: Sendable {
    public let file: String

    public init(file: String) { self.file = file }

    public func append(plugin: String, event: JSONValue) throws(SystemError) {
        var object = event.objectValue ?? ["value": event]
        object["plugin"] = .string(plugin)
        object["time"] = .string(ISO8601DateFormatter().string(from: Date()))
        let line = Array(JSONValue.object(object).serialized().utf8) + [10]
        let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError("open", path: file) }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else { throw SystemError("write", path: file) }
    }

    public func read() -> [JSONValue] {
        guard let bytes = try? FileSystem.read(file) else { return [] }
        return bytes.split(separator: 10).compactMap { try? JSONValue(parsing: Array($0)) }
    }
}
