import PaddockCore
import PluginABI

/// Reads the plugin table and each kind table as the host would (never beyond `struct_size`) and
/// names every rule of docs/abi.md §3 and §5 they break.
enum TableChecks {
    static func plugin(_ table: UnsafePointer<paddock_plugin>) -> ConformanceCheckResult {
        let plugin = table.pointee
        var problems: [String] = []
        let minimum = MemoryLayout<paddock_plugin>.offset(of: \paddock_plugin.reserved)!
        if Int(plugin.struct_size) < minimum {
            problems.append("struct_size is \(plugin.struct_size), below ABI 1.0's \(minimum); set .struct_size = sizeof(paddock_plugin)")
        }
        if ABIVersion(raw: plugin.version).major != 1 {
            problems.append("version is \(ABIVersion(raw: plugin.version)), expected 1.x; set .version = PADDOCK_PLUGIN_VERSION")
        }
        if plugin.name == nil || plugin.plugin_version == nil { problems.append("name or plugin_version is NULL") }
        if plugin.create == nil || plugin.destroy == nil || plugin.free_buffer == nil {
            problems.append("create, destroy and free_buffer are required but one is NULL")
        }
        let known = PluginKind.allCases.reduce(UInt32(0)) { $0 | $1.bit }
        if plugin.kinds == 0 { problems.append("kinds is 0; set the PADDOCK_KIND_* bits of what it implements") }
        if plugin.kinds & ~known != 0 { problems.append("kinds has unknown bits 0x\(String(plugin.kinds & ~known, radix: 16))") }
        if plugin.flags & ~UInt32(PADDOCK_PLUGIN_THREAD_SAFE) != 0 {
            problems.append("flags has unknown bits 0x\(String(plugin.flags & ~UInt32(PADDOCK_PLUGIN_THREAD_SAFE), radix: 16)); 1.0 knows only PADDOCK_PLUGIN_THREAD_SAFE")
        }
        if Int(plugin.struct_size) >= minimum {
            for kind in PluginKind.allCases where plugin.kinds & kind.bit == 0 && pointer(plugin, kind) != nil {
                problems.append("the \(kind.rawValue) table is set but kinds lacks PADDOCK_KIND_\(kind.rawValue.uppercased()); a kind table is non-NULL exactly for the declared kinds")
            }
        }
        let reserved = reservedProblems(UnsafeRawPointer(table), structSize: Int(plugin.struct_size), offset: minimum)
        if !reserved.isEmpty { problems.append("reserved[\(reserved)] must be NULL in 1.0") }
        return result(ConformanceCheckName.pluginTable, problems)
    }

    static func kind(_ plugin: paddock_plugin, _ kind: PluginKind) -> ConformanceCheckResult {
        let name = ConformanceCheckName.table(kind)
        let cName = "paddock_\(kind.rawValue)_ops"
        let macro = "PADDOCK_\(kind.rawValue.uppercased())_VERSION"
        guard let table = KindTable(plugin: plugin, kind: kind), let raw = pointer(plugin, kind) else {
            return .fail(name, "the plugin declares kind \(kind.rawValue) but its \(kind.rawValue) table is NULL; point .\(kind.rawValue) at a static \(cName)")
        }
        var problems: [String] = []
        if table.structSize < table.minimumSize {
            problems.append("struct_size is \(table.structSize), below ABI 1.0's \(table.minimumSize); set .struct_size = sizeof(\(cName))")
        }
        if ABIVersion(raw: table.version).major != 1 {
            problems.append("version is \(ABIVersion(raw: table.version)), expected 1.x; set .version = \(macro)")
        }
        if table.structSize >= table.minimumSize, kind.operations.allSatisfy({ table.function($0) == nil }) {
            problems.append("it implements no operation at all")
        }
        let reserved = reservedProblems(raw, structSize: table.structSize, offset: table.minimumSize)
        if !reserved.isEmpty { problems.append("reserved[\(reserved)] must be NULL in 1.0") }
        return result(name, problems)
    }

    static func pointer(_ plugin: paddock_plugin, _ kind: PluginKind) -> UnsafeRawPointer? {
        switch kind {
        case .network: plugin.network.map(UnsafeRawPointer.init)
        case .lb: plugin.lb.map(UnsafeRawPointer.init)
        case .storage: plugin.storage.map(UnsafeRawPointer.init)
        case .orchestrator: plugin.orchestrator.map(UnsafeRawPointer.init)
        }
    }

    /// The indexes of `reserved[8]` slots within `struct_size` that are not NULL, e.g. "0, 3".
    static func reservedProblems(_ table: UnsafeRawPointer, structSize: Int, offset: Int) -> String {
        let slot = MemoryLayout<UnsafeRawPointer?>.size
        var bad: [String] = []
        for index in 0..<8 where offset + (index + 1) * slot <= structSize {
            if table.loadUnaligned(fromByteOffset: offset + index * slot, as: UInt.self) != 0 { bad.append(String(index)) }
        }
        return bad.joined(separator: ", ")
    }

    static func result(_ name: String, _ problems: [String]) -> ConformanceCheckResult {
        problems.isEmpty ? .pass(name) : .fail(name, problems.joined(separator: "; "))
    }
}
