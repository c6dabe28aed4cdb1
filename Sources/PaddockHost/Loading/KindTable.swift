import PaddockCore
import PluginABI

/// A uniform view of one kind's operation table: its header and its function pointers by name,
/// each read only when `struct_size` says the member exists.
struct KindTable {
    let structSize: Int
    let version: UInt32
    let minimumSize: Int
    private let functions: [String: paddock_op_fn]

    init?(plugin: paddock_plugin, kind: PluginKind) {
        switch kind {
        case .network:
            guard let table = plugin.network else { return nil }
            let t = table.pointee
            self.init(size: t.struct_size, version: t.version, layout: MemoryLayout<paddock_network_ops>.self,
                      reservedOffset: MemoryLayout<paddock_network_ops>.offset(of: \.reserved)!,
                      members: [("add", \.add, t.add), ("del", \.del, t.del), ("check", \.check, t.check),
                                ("status", \.status, t.status), ("gc", \.gc, t.gc), ("version", \.cni_version, t.cni_version)])
        case .lb:
            guard let table = plugin.lb else { return nil }
            let t = table.pointee
            self.init(size: t.struct_size, version: t.version, layout: MemoryLayout<paddock_lb_ops>.self,
                      reservedOffset: MemoryLayout<paddock_lb_ops>.offset(of: \.reserved)!,
                      members: [("apply", \.apply, t.apply), ("status", \.status, t.status),
                                ("remove", \.remove, t.remove), ("capabilities", \.capabilities, t.capabilities)])
        case .storage:
            guard let table = plugin.storage else { return nil }
            let t = table.pointee
            self.init(size: t.struct_size, version: t.version, layout: MemoryLayout<paddock_storage_ops>.self,
                      reservedOffset: MemoryLayout<paddock_storage_ops>.offset(of: \.reserved)!,
                      members: [("create", \.create, t.create), ("remove", \.remove, t.remove),
                                ("attach", \.attach, t.attach), ("detach", \.detach, t.detach),
                                ("mount", \.mount, t.mount), ("unmount", \.unmount, t.unmount),
                                ("path", \.path, t.path), ("get", \.get, t.get), ("list", \.list, t.list),
                                ("capabilities", \.capabilities, t.capabilities)])
        case .orchestrator:
            guard let table = plugin.orchestrator else { return nil }
            let t = table.pointee
            self.init(size: t.struct_size, version: t.version, layout: MemoryLayout<paddock_orchestrator_ops>.self,
                      reservedOffset: MemoryLayout<paddock_orchestrator_ops>.offset(of: \.reserved)!,
                      members: [("deploy", \.deploy, t.deploy), ("remove", \.remove, t.remove),
                                ("scale", \.scale, t.scale), ("status", \.status, t.status),
                                ("list", \.list, t.list), ("logs", \.logs, t.logs)])
        }
    }

    private init<T>(size: UInt32, version: UInt32, layout: MemoryLayout<T>.Type, reservedOffset: Int,
                    members: [(String, PartialKeyPath<T>, paddock_op_fn?)]) {
        structSize = Int(size)
        self.version = version
        minimumSize = reservedOffset
        var functions: [String: paddock_op_fn] = [:]
        for (name, path, function) in members {
            guard let function, let offset = MemoryLayout<T>.offset(of: path),
                  offset + MemoryLayout<paddock_op_fn>.size <= Int(size) else { continue }
            functions[name] = function
        }
        self.functions = functions
    }

    func function(_ name: String) -> paddock_op_fn? { functions[name] }
}
