import PaddockCore
import PaddockPosix
import PluginABI

/// A plugin image that was loaded and agreed an ABI version, with its table checked. Lives for the
/// rest of the process (never dlclosed).
public struct NegotiatedPlugin: @unchecked Sendable {
    public let path: String
    /// The loaded image (for extension actions' symbols); never closed.
    public let library: DynamicLibrary
    public let abi: ABIVersion
    public let table: UnsafePointer<paddock_plugin>
    public let name: String
    public let version: String
    public let kinds: [PluginKind]
    public let threadSafe: Bool
    /// Per kind, the operations whose function pointer is present (for `inspect --probe`).
    public let operations: [PluginKind: [String]]
    public let tableVersions: [String: String]
    /// The operations' function pointers, read once: the tables are static for the image's life.
    let functions: [PluginKind: [String: paddock_op_fn]]

    public var description: JSONValue {
        var ops: [String: JSONValue] = [:]
        for (kind, names) in operations { ops[kind.rawValue] = .array(names.map { .string($0) }) }
        return .object([
            "abi": .string(abi.description),
            "name": .string(name),
            "version": .string(version),
            "kinds": .array(kinds.map { .string($0.rawValue) }),
            "thread_safe": .bool(threadSafe),
            "operations": .object(ops),
            "tables": .object(tableVersions.mapValues { .string($0) }),
        ])
    }
}

/// Loads a plugin in this process: dlopen, the entry symbol, negotiation, table checks. The probe
/// child runs exactly this, so what `enable` proved is what the host later relies on.
public enum PluginImageLoader {

    public static func load(path: String) throws(PluginLoadError) -> NegotiatedPlugin {
        let call = try NegotiationCall.perform(path: path, minimum: ABIVersion.hostMinimum, maximum: ABIVersion.hostCurrent)
        let library = call.library, status = call.status, reason = call.reason
        guard status == PADDOCK_OK else {
            let why = reason.isEmpty ? "no reason given" : reason
            throw PluginLoadError(.refused, "the plugin refused to load (status \(status) \(StatusCode.name(status))): \(why)")
        }
        guard let table = call.table else {
            throw PluginLoadError(.badTable, "the entry function returned PADDOCK_OK but a NULL plugin table")
        }
        let chosen = call.chosen
        guard chosen >= ABIVersion.hostMinimum, chosen <= ABIVersion.hostCurrent else {
            throw PluginLoadError(.badVersion,
                "the plugin chose ABI \(chosen), outside this host's \(ABIVersion.hostMinimum)–\(ABIVersion.hostCurrent); rebuild it against this host's <paddock/plugin.h>")
        }
        return try validate(table: table, path: path, abi: chosen, library: library)
    }

    static func validate(table: UnsafePointer<paddock_plugin>, path: String, abi: ABIVersion,
                         library: DynamicLibrary) throws(PluginLoadError) -> NegotiatedPlugin {
        let plugin = table.pointee
        let minimumSize = MemoryLayout<paddock_plugin>.offset(of: \paddock_plugin.reserved)!
        guard Int(plugin.struct_size) >= minimumSize else {
            throw PluginLoadError(.badTable, "plugin table struct_size is \(plugin.struct_size) but ABI 1.0 needs at least \(minimumSize)")
        }
        guard ABIVersion(raw: plugin.version).major == 1 else {
            throw PluginLoadError(.badTable, "plugin table version is \(ABIVersion(raw: plugin.version)), expected 1.x")
        }
        guard let namePointer = plugin.name, let versionPointer = plugin.plugin_version else {
            throw PluginLoadError(.badTable, "plugin table has a NULL name or plugin_version")
        }
        guard plugin.create != nil, plugin.destroy != nil, plugin.free_buffer != nil else {
            throw PluginLoadError(.badTable, "plugin table lacks create, destroy or free_buffer (all three are required)")
        }
        let kinds = PluginKind.kinds(fromBits: plugin.kinds)
        guard !kinds.isEmpty else { throw PluginLoadError(.badTable, "plugin table declares no kind") }
        var operations: [PluginKind: [String]] = [:]
        var versions: [String: String] = [:]
        var functions: [PluginKind: [String: paddock_op_fn]] = [:]
        for kind in kinds {
            guard let ops = KindTable(plugin: plugin, kind: kind) else {
                throw PluginLoadError(.badTable, "plugin declares kind \(kind.rawValue) but its \(kind.rawValue) table is NULL")
            }
            guard ops.structSize >= ops.minimumSize else {
                throw PluginLoadError(.badTable, "\(kind.rawValue) table struct_size is \(ops.structSize), below ABI 1.0's \(ops.minimumSize)")
            }
            guard ABIVersion(raw: ops.version).major == 1 else {
                throw PluginLoadError(.badTable, "\(kind.rawValue) table version is \(ABIVersion(raw: ops.version)), expected 1.x")
            }
            operations[kind] = kind.operations.filter { ops.function($0) != nil }
            functions[kind] = Dictionary(uniqueKeysWithValues: kind.operations.compactMap { name in
                ops.function(name).map { (name, $0) }
            })
            versions[kind.rawValue] = ABIVersion(raw: ops.version).description
        }
        return NegotiatedPlugin(
            path: path, library: library, abi: abi, table: table, name: String(cString: namePointer),
            version: String(cString: versionPointer), kinds: kinds,
            threadSafe: plugin.flags & UInt32(PADDOCK_PLUGIN_THREAD_SAFE) != 0,
            operations: operations, tableVersions: versions, functions: functions)
    }
}

public struct PluginLoadError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case loadFailed, noEntry, refused, badVersion, badTable, createFailed }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}
