import Foundation

/// Counts calls that are inside a plugin at the same moment, and the most there ever were.
final class InFlightTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private(set) var maximum = 0

    func enter() {
        lock.lock()
        current += 1
        maximum = max(maximum, current)
        lock.unlock()
    }

    func leave() {
        lock.lock()
        current -= 1
        lock.unlock()
    }

    var most: Int {
        lock.lock()
        defer { lock.unlock() }
        return maximum
    }
}
