/// A read-only view of an ELF shared object, parsed from bytes with every offset bounds-checked.
/// Discovery reads plugins through this type only: it never maps or runs the file.
public struct ELFFile: Sendable {
    public enum Class: Sendable { case elf32, elf64 }
    public enum ByteOrder: String, Sendable { case little, big }

    public struct Section: Sendable, Equatable {
        public var name: String
        public var type: UInt32
        public var offset: Int
        public var size: Int
        public var link: UInt32
        public var entrySize: Int
        /// Index into the section-name string table (`sh_name`).
        var nameIndex: UInt32 = 0
    }

    public let elfClass: Class
    public let byteOrder: ByteOrder
    /// `e_type`: 2 executable, 3 shared object.
    public let fileType: UInt16
    /// `e_machine`, e.g. 62 = x86-64, 183 = AArch64.
    public let machine: UInt16
    public let sections: [Section]
    private let bytes: [UInt8]

    public static let typeSharedObject: UInt16 = 3
    static let sectionTypeNoBits: UInt32 = 8
    static let sectionTypeDynamic: UInt32 = 6
    static let sectionTypeDynSym: UInt32 = 11

    public init(bytes: [UInt8]) throws(ELFError) {
        guard bytes.count >= 16 else {
            throw ELFError(bytes.isEmpty ? "the file is empty" : "the file is too short to be ELF (\(bytes.count) bytes)")
        }
        guard bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else {
            throw ELFError("not an ELF file (no \\x7fELF magic)")
        }
        switch bytes[4] {
        case 1: elfClass = .elf32
        case 2: elfClass = .elf64
        default: throw ELFError("unknown ELF class \(bytes[4])")
        }
        switch bytes[5] {
        case 1: byteOrder = .little
        case 2: byteOrder = .big
        default: throw ELFError("unknown ELF data encoding \(bytes[5])")
        }
        self.bytes = bytes
        let reader = ByteReader(bytes: bytes, order: byteOrder)
        let is64 = elfClass == .elf64
        let headerSize = is64 ? 64 : 52
        guard bytes.count >= headerSize else {
            throw ELFError("truncated ELF header (\(bytes.count) of \(headerSize) bytes)")
        }
        fileType = try reader.u16(16)
        machine = try reader.u16(18)
        let shoff = is64 ? try reader.u64(0x28) : UInt64(try reader.u32(0x20))
        let shentsize = Int(try reader.u16(is64 ? 0x3A : 0x2E))
        var shnum = Int(try reader.u16(is64 ? 0x3C : 0x30))
        var shstrndx = Int(try reader.u16(is64 ? 0x3E : 0x32))
        guard shoff != 0 else { throw ELFError("the file has no section header table") }
        guard shentsize >= (is64 ? 64 : 40) else { throw ELFError("section header entry size \(shentsize) is too small") }
        guard shoff < UInt64(bytes.count) else {
            throw ELFError("truncated: section headers at offset \(shoff) lie beyond the end of the file (\(bytes.count) bytes)")
        }
        let tableOffset = Int(shoff)
        // Extended numbering: counts that do not fit live in section 0.
        if shnum == 0 || shstrndx == 0xFFFF {
            let first = try Self.rawSection(reader, at: tableOffset, is64: is64)
            if shnum == 0 { shnum = first.size }
            if shstrndx == 0xFFFF { shstrndx = Int(first.link) }
        }
        guard shnum <= 65_536 else { throw ELFError("implausible section count \(shnum)") }
        let (tableEnd, overflow) = tableOffset.addingReportingOverflow(shnum * shentsize)
        guard !overflow, tableEnd <= bytes.count else {
            throw ELFError("truncated: the section header table ends at \(tableEnd), past the end of the file (\(bytes.count) bytes)")
        }
        var raw: [Section] = []
        raw.reserveCapacity(shnum)
        for i in 0..<shnum {
            raw.append(try Self.rawSection(reader, at: tableOffset + i * shentsize, is64: is64))
        }
        guard shstrndx < raw.count else { throw ELFError("section name table index \(shstrndx) is out of range") }
        let names = raw[shstrndx]
        try Self.checkBounds(names, fileSize: bytes.count)
        sections = try raw.map { section throws(ELFError) in
            var named = section
            named.name = try reader.cString(at: names.offset, index: Int(section.nameIndex), limit: names.size)
            return named
        }
    }

    /// The bytes of the named section, or nil when there is none. Throws when it lies outside the file.
    public func contents(of name: String) throws(ELFError) -> ArraySlice<UInt8>? {
        guard let section = sections.first(where: { $0.name == name }) else { return nil }
        return try contents(of: section)
    }

    public func contents(of section: Section) throws(ELFError) -> ArraySlice<UInt8> {
        if section.type == Self.sectionTypeNoBits { return [] }
        try Self.checkBounds(section, fileSize: bytes.count)
        return bytes[section.offset..<(section.offset + section.size)]
    }

    /// Names of the defined, globally visible symbols in `.dynsym` (what dlsym could find).
    public func exportedSymbols() throws(ELFError) -> Set<String> {
        guard let dynsym = sections.first(where: { $0.type == Self.sectionTypeDynSym }) else { return [] }
        guard Int(dynsym.link) < sections.count else { throw ELFError(".dynsym links to a missing string table") }
        let strtab = sections[Int(dynsym.link)]
        try Self.checkBounds(dynsym, fileSize: bytes.count)
        try Self.checkBounds(strtab, fileSize: bytes.count)
        let reader = ByteReader(bytes: bytes, order: byteOrder)
        let is64 = elfClass == .elf64
        let entrySize = is64 ? 24 : 16
        var result: Set<String> = []
        var offset = dynsym.offset
        while offset + entrySize <= dynsym.offset + dynsym.size {
            let nameIndex = Int(try reader.u32(offset))
            let info = is64 ? try reader.u8(offset + 4) : try reader.u8(offset + 12)
            let sectionIndex = is64 ? try reader.u16(offset + 6) : try reader.u16(offset + 14)
            let binding = info >> 4
            if sectionIndex != 0, binding == 1 || binding == 2, nameIndex != 0 {
                result.insert(try reader.cString(at: strtab.offset, index: nameIndex, limit: strtab.size))
            }
            offset += entrySize
        }
        return result
    }

    /// `DT_NEEDED` entries of the dynamic section: the libraries the loader would pull in.
    public func neededLibraries() throws(ELFError) -> [String] {
        guard let dynamic = sections.first(where: { $0.type == Self.sectionTypeDynamic }) else { return [] }
        guard Int(dynamic.link) < sections.count else { throw ELFError(".dynamic links to a missing string table") }
        let strtab = sections[Int(dynamic.link)]
        try Self.checkBounds(dynamic, fileSize: bytes.count)
        try Self.checkBounds(strtab, fileSize: bytes.count)
        let reader = ByteReader(bytes: bytes, order: byteOrder)
        let is64 = elfClass == .elf64
        let entrySize = is64 ? 16 : 8
        var result: [String] = []
        var offset = dynamic.offset
        while offset + entrySize <= dynamic.offset + dynamic.size {
            let tag = is64 ? try reader.u64(offset) : UInt64(try reader.u32(offset))
            let value = is64 ? try reader.u64(offset + 8) : UInt64(try reader.u32(offset + 4))
            if tag == 0 { break }
            if tag == 1, value < UInt64(strtab.size) {
                result.append(try reader.cString(at: strtab.offset, index: Int(value), limit: strtab.size))
            }
            offset += entrySize
        }
        return result
    }

    private static func rawSection(_ reader: ByteReader, at offset: Int, is64: Bool) throws(ELFError) -> Section {
        if is64 {
            return Section(
                name: "", type: try reader.u32(offset + 4), offset: try reader.int(reader.u64(offset + 0x18)),
                size: try reader.int(reader.u64(offset + 0x20)), link: try reader.u32(offset + 0x28),
                entrySize: try reader.int(reader.u64(offset + 0x38)), nameIndex: try reader.u32(offset))
        }
        return Section(
            name: "", type: try reader.u32(offset + 4), offset: Int(try reader.u32(offset + 0x10)),
            size: Int(try reader.u32(offset + 0x14)), link: try reader.u32(offset + 0x18),
            entrySize: Int(try reader.u32(offset + 0x24)), nameIndex: try reader.u32(offset))
    }

    private static func checkBounds(_ section: Section, fileSize: Int) throws(ELFError) {
        let (end, overflow) = section.offset.addingReportingOverflow(section.size)
        guard !overflow, section.offset >= 0, end <= fileSize else {
            throw ELFError("truncated: section \(section.name.isEmpty ? "#?" : section.name) ends at byte \(end) but the file has \(fileSize)")
        }
    }
}

public struct ELFError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
