import PaddockCore
import PaddockPosix

/// Reads a buffer argument's bytes: a file (`@FILE`), standard input (`-`) or the literal text.
public enum BufferSourceReader {
    /// Larger inputs are refused rather than held in memory twice (a copy goes to the plugin).
    public static let limit = 64 << 20

    public static func read(_ source: BufferSource) throws -> [UInt8] {
        switch source {
        case .literal(let bytes):
            return bytes
        case .file(let path):
            guard !path.isEmpty else { throw ActionArgumentError("\"@\" needs a file name after it (@FILE), or write @@ for a literal @") }
            return try FileSystem.read(path, limit: limit)
        case .standardInput:
            return try FileSystem.read("/dev/stdin", limit: limit)
        }
    }
}
