import PaddockCore
import PaddockPosix

/// The Paddock source tree a generated Swift driver builds against: its PaddockPluginKit and header.
public enum PaddockSourceTree {
    /// The tree this binary was built from, found from this file's path at compile time
    /// (Sources/PaddockHost/Scaffold/PaddockSourceTree.swift, four levels below the root).
    public static let builtFrom: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/")
    }()

    /// Throws unless `path` holds Package.swift and the Swift driver SDK.
    public static func check(_ path: String) throws(HostError) {
        guard FileSystem.exists("\(path)/Package.swift"), FileSystem.exists("\(path)/Sources/PaddockPluginKit") else {
            throw HostError(.invalidInput, "\(path) is not a Paddock source tree (no Package.swift with Sources/PaddockPluginKit)",
                            hint: "pass --paddock-source DIR with the Paddock checkout a Swift driver should build against")
        }
    }

    /// The identity SwiftPM gives a `.package(path:)` dependency: its directory's name, lowercased.
    public static func packageIdentity(_ path: String) -> String {
        String(path.split(separator: "/").last ?? "paddock").lowercased()
    }
}
