import PaddockCore
import PaddockPosix

/// Reads and updates `state.json` in the state directory. Updates run under an exclusive file lock
/// (so concurrent `paddock` processes never lose one) and replace the file atomically (temp file,
/// fsync, rename, directory fsync), so a `kill -9` leaves the old or the new state, never a mix.
public struct StateStore: Sendable {
    public let directory: String
    public var file: String { "\(directory)/state.json" }
    var lockFile: String { "\(directory)/state.lock" }

    public init(directory: String) { self.directory = directory }

    public func read() throws(HostError) -> HostState {
        guard FileSystem.exists(file) else { return HostState() }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(file)
        } catch {
            throw HostError(.io, "cannot read state file \(file): \(error)")
        }
        do {
            return try HostState(json: try JSONValue(parsing: bytes))
        } catch let error as HostError {
            throw HostError(.io, "state file \(file) is invalid: \(error.message)",
                            hint: "nothing was changed; move it aside (plugins will show as disabled) or restore it")
        } catch {
            throw HostError(.io, "state file \(file) is not valid JSON: \(error)",
                            hint: "nothing was changed; move it aside (plugins will show as disabled) or restore it")
        }
    }

    /// Runs `body` on the current state under the lock and writes what it leaves, atomically.
    @discardableResult
    public func update<T>(_ body: (inout HostState) throws -> T) throws -> T {
        do {
            try FileSystem.makeDirectories(directory, mode: 0o755)
        } catch {
            throw HostError(.io, "cannot create state directory \(directory): \(error)",
                            hint: "pass --state-dir or set PADDOCK_STATE_DIR to a writable directory")
        }
        return try FileLock.withExclusiveLock(lockFile) {
            var state = try read()
            let before = state
            let result = try body(&state)
            if state != before {
                // Owner only: enable configs may carry credentials (the EBS driver's secret key).
                try AtomicFile.write(Array(state.json.serialized(pretty: true).utf8) + [10], to: file, mode: 0o600)
            }
            return result
        }
    }
}
