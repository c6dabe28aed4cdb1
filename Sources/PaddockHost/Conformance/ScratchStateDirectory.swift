import Foundation
import PaddockPosix

/// The state directory of a kit run: the one the operator named, or a fresh temporary one that is
/// removed afterwards. Either way the plugin's key-value store and events stay out of real state.
public final class ScratchStateDirectory: @unchecked Sendable {
    public let path: String
    private let removeWhenDone: Bool

    public init(explicit: String?) throws(HostError) {
        if let explicit {
            do {
                try FileSystem.makeDirectories(explicit, mode: 0o700)
            } catch {
                throw HostError(.io, "cannot use \(explicit) as the kit's state directory: \(error)")
            }
            path = explicit
            removeWhenDone = false
            return
        }
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/paddock-plugin-test.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw HostError(.io, "cannot make a temporary state directory under \(base): \(String(cString: strerror(errno)))",
                            hint: "set TMPDIR to a writable directory, or pass --state-dir DIR")
        }
        path = String(cString: made)
        removeWhenDone = true
    }

    public func finish() {
        guard removeWhenDone else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
