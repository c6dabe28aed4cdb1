import PaddockPosix
import Synchronization

/// What this process last read or wrote of each key-value store file, with the file held open
/// (PinnedFile). Every change to a store file is a rename onto it, so under the store's lock a path
/// that still shows the pinned file's device, inode, size and mtime holds exactly the entries kept
/// here, and a read costs one stat instead of a read and a JSON parse. Bounded: the oldest entry
/// goes (and its descriptor is closed) beyond `capacity` files.
final class KeyValueSnapshots: Sendable {
    private struct Snapshot {
        let file: PinnedFile
        let entries: [String: [UInt8]]
        let stamp: UInt64
    }

    private struct State {
        var snapshots: [String: Snapshot] = [:]
        var clock: UInt64 = 0
    }

    static let shared = KeyValueSnapshots(capacity: 32)

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = capacity }

    /// The entries kept for `path` when `current` (a stat of it taken under the lock) is the
    /// pinned file unchanged; nil otherwise.
    func entries(_ path: String, current: FileStatus) -> [String: [UInt8]]? {
        state.withLock { state in
            guard let snapshot = state.snapshots[path], snapshot.file.isUnchanged(comparedTo: current) else { return nil }
            return snapshot.entries
        }
    }

    /// Keeps `entries` as the contents of `file` (opened after they were read or written, under the lock).
    func keep(_ file: PinnedFile, _ entries: [String: [UInt8]]) {
        state.withLock { state in
            state.clock += 1
            state.snapshots[file.path] = Snapshot(file: file, entries: entries, stamp: state.clock)
            if state.snapshots.count > capacity,
               let oldest = state.snapshots.min(by: { $0.value.stamp < $1.value.stamp })?.key {
                state.snapshots.removeValue(forKey: oldest)
            }
        }
    }

    func forget(_ path: String) {
        _ = state.withLock { $0.snapshots.removeValue(forKey: path) }
    }
}
