import Foundation

/// Writes log lines to stderr at or above a level: "paddock[LEVEL] plugin: message".
public struct Logger: Sendable {
    public var level: LogLevel
    public init(level: LogLevel) { self.level = level }

    public func log(_ messageLevel: LogLevel, plugin: String? = nil, _ message: String) {
        guard messageLevel <= level else { return }
        let prefix = plugin.map { "paddock[\(messageLevel)] \($0): " } ?? "paddock[\(messageLevel)]: "
        FileHandle.standardError.write(Data((prefix + message + "\n").utf8))
    }
}
