// The `paddock` CNI plugin binary (installed by `paddock cni install --dir DIR`): the CNI
// execution protocol in PaddockCNI, the driver through the host's in-process loader.
import Glibc
import PaddockCNI
import PaddockCNIHost
import PaddockPosix

/// All of standard input (the network configuration; empty for VERSION without input).
func readStandardInput() -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if count > 0 { bytes += chunk[0..<count]; continue }
        if count < 0 && errno == EINTR { continue }
        return bytes
    }
}

/// `paddock.paths` beside this executable, if `paddock cni install` wrote one.
func installedPaths() throws(CNIError) -> CNIHostPaths {
    let executable = ChildProcess.currentExecutable()
    let file = AtomicFile.parentDirectoryPath(of: executable) + "/" + CNIHostPaths.fileName
    guard FileSystem.exists(file) else { return CNIHostPaths() }
    do {
        return try CNIHostPaths(parsing: try FileSystem.read(file, limit: 1 << 20), file: file)
    } catch let error as CNIError {
        throw error
    } catch {
        throw CNIError(.io, "cannot read \(file)", details: "\(error)")
    }
}

func writeAll(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        if written < 0 { if errno == EINTR { continue }; return }
        bytes = bytes.dropFirst(written)
    }
}

let outcome = CNIAdapter(gateway: HostDriverGateway(paths: installedPaths))
    .run(environment: ChildProcess.currentEnvironment(), stdin: readStandardInput())
writeAll(outcome.stdout)
exit(outcome.exitStatus)
