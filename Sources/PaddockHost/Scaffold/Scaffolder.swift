import Foundation
import Glibc
import PaddockCore
import PaddockPosix

/// Writes a generated driver project. The files go into a hidden sibling directory first, which is
/// renamed into place only when complete: no half-written project is ever left behind, and an
/// existing file or directory is never replaced.
public enum Scaffolder {
    /// Creates the project and returns its files' paths relative to the project directory.
    @discardableResult
    public static func create(_ request: ScaffoldRequest) throws(HostError) -> [String] {
        try request.validate()
        let files = switch request.language {
        case .c: CProjectTemplate.files(request)
        case .swift: SwiftProjectTemplate.files(request)
        }
        let parent = AtomicFile.parentDirectoryPath(of: request.directory)
        let base = String(request.directory.split(separator: "/").last ?? Substring(request.name))
        let staging = "\(parent)/.\(base).paddock-new-\(getpid())"
        do {
            try FileSystem.makeDirectories(parent)
            try? FileManager.default.removeItem(atPath: staging)
            for file in files {
                let path = "\(staging)/\(file.path)"
                try FileSystem.makeDirectories(AtomicFile.parentDirectoryPath(of: path))
                try AtomicFile.write(Array(file.contents.utf8), to: path, mode: 0o644)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw HostError(.io, "cannot write the project for \(request.name) under \(parent): \(error)",
                            hint: "pass a --dir in a directory you can write")
        }
        // mkdir claims the name atomically (EEXIST if anything is there); the complete project then
        // replaces that empty directory of ours.
        guard mkdir(request.directory, 0o755) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: staging)
            throw HostError(.io, "cannot create \(request.directory): \(reason)",
                            hint: "paddock plugin new never overwrites; pass another --dir")
        }
        guard rename(staging, request.directory) == 0 else {
            let reason = String(cString: strerror(errno))
            rmdir(request.directory)
            try? FileManager.default.removeItem(atPath: staging)
            throw HostError(.io, "cannot move the project into \(request.directory): \(reason)")
        }
        return files.map(\.path)
    }
}
