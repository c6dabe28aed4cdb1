/// What reading a plugin file (never running it) tells: its manifest and whether this host can
/// load it. Produced by `PluginFile.inspect`, consumed by discovery and `plugin inspect`.
public struct PluginFile: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        /// Loadable as far as the file can tell.
        case loadable
        /// Not applicable on this host (another machine or class); not an error.
        case skipped(String)
        /// Broken; the reason says what is wrong and what to do.
        case error(String)
    }

    public var manifest: PluginManifest?
    public var fingerprint: BuildFingerprint
    public var neededLibraries: [String]
    public var linksSwift: Bool
    public var verdict: Verdict

    public init(manifest: PluginManifest?, fingerprint: BuildFingerprint, neededLibraries: [String],
                linksSwift: Bool, verdict: Verdict) {
        self.manifest = manifest
        self.fingerprint = fingerprint
        self.neededLibraries = neededLibraries
        self.linksSwift = linksSwift
        self.verdict = verdict
    }

    public static let entrySymbol = "paddock_plugin_entry"
    public static let manifestSection = "paddock_manifest"
    public static let buildSection = "paddock_build"

    public static func inspect(bytes: [UInt8], hostMachine: UInt16 = ELFMachine.host) -> PluginFile {
        var result = PluginFile(manifest: nil, fingerprint: BuildFingerprint(entries: [:]), neededLibraries: [],
                                linksSwift: false, verdict: .loadable)
        let elf: ELFFile
        do {
            elf = try ELFFile(bytes: bytes)
        } catch {
            result.verdict = .error("\(error.message); rebuild it as a shared object (cc -shared -fPIC)")
            return result
        }
        let hostClass: ELFFile.Class = MemoryLayout<Int>.size == 8 ? .elf64 : .elf32
        guard elf.machine == hostMachine, elf.elfClass == hostClass,
              elf.byteOrder.rawValue == BuildFingerprint.hostByteOrder else {
            result.verdict = .skipped(
                "built for \(ELFMachine.name(elf.machine)) (\(elf.elfClass == .elf64 ? 64 : 32)-bit, \(elf.byteOrder.rawValue)-endian); this host is \(ELFMachine.name(hostMachine))")
            return result
        }
        guard elf.fileType == ELFFile.typeSharedObject else {
            result.verdict = .error("an ELF file but not a shared object (e_type \(elf.fileType)); build it with -shared -fPIC")
            return result
        }
        do {
            if let build = try elf.contents(of: buildSection) {
                result.fingerprint = BuildFingerprint(section: build)
            }
            result.neededLibraries = try elf.neededLibraries()
            result.linksSwift = result.neededLibraries.contains("libswiftCore.so")
            guard let section = try elf.contents(of: manifestSection) else {
                result.verdict = .error("no \(manifestSection) section: the file carries no manifest; add PADDOCK_MANIFEST(...) from <paddock/plugin.h>")
                return result
            }
            result.manifest = try PluginManifest.parse(section)
            guard try elf.exportedSymbols().contains(entrySymbol) else {
                result.verdict = .error("exports no \(entrySymbol) symbol; define it with PADDOCK_EXPORT (C) or @c (Swift)")
                return result
            }
        } catch let error as ELFError {
            result.verdict = .error(error.message)
            return result
        } catch let error as ManifestError {
            result.verdict = .error(error.message)
            return result
        } catch {
            result.verdict = .error("\(error)")
            return result
        }
        if let manifest = result.manifest, manifest.abi.major != ABIVersion.hostCurrent.major || manifest.abi < ABIVersion.hostMinimum {
            result.verdict = .error(
                "speaks ABI \(manifest.abi) but this host speaks \(ABIVersion.hostMinimum)–\(ABIVersion.hostCurrent); rebuild it against this host's <paddock/plugin.h>")
            return result
        }
        let problems = result.fingerprint.incompatibilities(with: .host, isSwift: result.linksSwift)
        if !problems.isEmpty {
            result.verdict = .error("not binary compatible: " + problems.joined(separator: "; "))
        }
        return result
    }
}

/// ELF `e_machine` values this host knows by name.
public enum ELFMachine {
    public static var host: UInt16 {
        #if arch(x86_64)
        return 62
        #elseif arch(arm64)
        return 183
        #elseif arch(i386)
        return 3
        #elseif arch(arm)
        return 40
        #elseif arch(riscv64)
        return 243
        #elseif arch(powerpc64le)
        return 21
        #elseif arch(s390x)
        return 22
        #else
        return 0
        #endif
    }

    public static func name(_ machine: UInt16) -> String {
        switch machine {
        case 3: "i386"
        case 8: "MIPS"
        case 20: "PowerPC"
        case 21: "PowerPC64"
        case 22: "s390x"
        case 40: "ARM"
        case 62: "x86-64"
        case 183: "AArch64"
        case 243: "RISC-V"
        default: "machine \(machine)"
        }
    }
}
