import Foundation
import PaddockPosix

/// Remembers that the host side (table skeleton, FORWARD exemption, sysctls) was applied in this
/// network namespace since boot with these settings, so an ADD without port mappings costs no
/// process at all. Keyed by the boot ID, the namespace's inode and a digest of what was applied;
/// anything that removes the rules behind Paddock's back is repaired by the next `reconcile()`
/// (the host agent triggers one periodically).
struct HostSetupMarker {
    let path: String
    let settings: HostNATSettings

    init(settings: HostNATSettings) {
        self.settings = settings
        path = "\(settings.lockPath).applied"
    }

    var isCurrent: Bool {
        guard let expected = fingerprint(), let stored = try? FileSystem.read(path, limit: 4096) else { return false }
        return String(decoding: stored, as: UTF8.self) == expected
    }

    func record() {
        guard let value = fingerprint() else { return }
        try? AtomicFile.write(Array(value.utf8), to: path, mode: 0o600)
    }

    func clear() { try? FileSystem.remove(path) }

    func fingerprint() -> String? {
        let namespace = settings.namespacePath ?? "/proc/self/ns/net"
        guard let boot = try? FileSystem.read("/proc/sys/kernel/random/boot_id", limit: 128),
              let status = try? FileSystem.status(namespace) else { return nil }
        var hash: UInt64 = 14_695_981_039_346_656_037  // FNV-1a over what the host setup consists of
        let applied = NFTablesRuleset.script(settings, []) + ForwardExemption.restoreInput(settings)
            + settings.localnetInterfaces.joined(separator: ",")
        for byte in applied.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        let bootID = String(decoding: boot, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return "\(bootID) \(status.device):\(status.inode) \(String(hash, radix: 16))\n"
    }
}
