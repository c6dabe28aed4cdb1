import PluginABI

/// The static kind tables of a Swift plugin. Each thunk finds the driver, hands it to RawDriver
/// when it is one, else to the kind's protocol, and answers NOT_SUPPORTED when it is neither.
enum Tables {
    nonisolated(unsafe) static let network: UnsafePointer<paddock_network_ops> = {
        let table = UnsafeMutablePointer<paddock_network_ops>.allocate(capacity: 1)
        table.initialize(to: paddock_network_ops())
        table.pointee.struct_size = UInt32(MemoryLayout<paddock_network_ops>.size)
        table.pointee.version = PADDOCK_NETWORK_VERSION
        table.pointee.add = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .network, operation: "add", request: value) }
                guard let typed = driver as? any NetworkDriver else { throw .notSupported("network.add") }
                return try typed.add(value)
            }
        }
        table.pointee.del = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .network, operation: "del", request: value) }
                guard let typed = driver as? any NetworkDriver else { throw .notSupported("network.del") }
                return try typed.del(value)
            }
        }
        table.pointee.check = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .network, operation: "check", request: value) }
                guard let typed = driver as? any NetworkDriver else { throw .notSupported("network.check") }
                return try typed.check(value)
            }
        }
        table.pointee.status = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .network, operation: "status", request: value) }
                guard let typed = driver as? any NetworkDriver else { throw .notSupported("network.status") }
                return try typed.status(value)
            }
        }
        table.pointee.gc = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .network, operation: "gc", request: value) }
                guard let typed = driver as? any NetworkDriver else { throw .notSupported("network.gc") }
                return try typed.gc(value)
            }
        }
        table.pointee.cni_version = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .network, operation: "version", request: value) }
                guard let typed = driver as? any NetworkDriver else { throw .notSupported("network.version") }
                return try typed.version(value)
            }
        }
        return UnsafePointer(table)
    }()

    nonisolated(unsafe) static let lb: UnsafePointer<paddock_lb_ops> = {
        let table = UnsafeMutablePointer<paddock_lb_ops>.allocate(capacity: 1)
        table.initialize(to: paddock_lb_ops())
        table.pointee.struct_size = UInt32(MemoryLayout<paddock_lb_ops>.size)
        table.pointee.version = PADDOCK_LB_VERSION
        table.pointee.apply = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .lb, operation: "apply", request: value) }
                guard let typed = driver as? any LoadBalancerDriver else { throw .notSupported("lb.apply") }
                return try typed.apply(value)
            }
        }
        table.pointee.status = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .lb, operation: "status", request: value) }
                guard let typed = driver as? any LoadBalancerDriver else { throw .notSupported("lb.status") }
                return try typed.status(value)
            }
        }
        table.pointee.remove = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .lb, operation: "remove", request: value) }
                guard let typed = driver as? any LoadBalancerDriver else { throw .notSupported("lb.remove") }
                return try typed.remove(value)
            }
        }
        table.pointee.capabilities = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .lb, operation: "capabilities", request: value) }
                guard let typed = driver as? any LoadBalancerDriver else { throw .notSupported("lb.capabilities") }
                return try typed.capabilities(value)
            }
        }
        return UnsafePointer(table)
    }()

    nonisolated(unsafe) static let storage: UnsafePointer<paddock_storage_ops> = {
        let table = UnsafeMutablePointer<paddock_storage_ops>.allocate(capacity: 1)
        table.initialize(to: paddock_storage_ops())
        table.pointee.struct_size = UInt32(MemoryLayout<paddock_storage_ops>.size)
        table.pointee.version = PADDOCK_STORAGE_VERSION
        table.pointee.create = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .storage, operation: "create", request: value) }
                guard let typed = driver as? any StorageDriver else { throw .notSupported("storage.create") }
                return try typed.create(value)
            }
        }
        table.pointee.remove = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .storage, operation: "remove", request: value) }
                guard let typed = driver as? any StorageDriver else { throw .notSupported("storage.remove") }
                return try typed.remove(value)
            }
        }
        table.pointee.attach = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .storage, operation: "attach", request: value) }
                guard let typed = driver as? any StorageDriver else { throw .notSupported("storage.attach") }
                return try typed.attach(value)
            }
        }
        table.pointee.detach = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .storage, operation: "detach", request: value) }
                guard let typed = driver as? any StorageDriver else { throw .notSupported("storage.detach") }
                return try typed.detach(value)
            }
        }
        table.pointee.mount = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .storage, operation: "mount", request: value) }
                guard let typed = driver as? any StorageDriver else { throw .notSupported("storage.mount") }
                return try typed.mount(value)
            }
        }
        table.pointee.unmount = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .storage, operation: "unmount", request: value) }
                guard let typed = driver as? any StorageDriver else { throw .notSupported("storage.unmount") }
                return try typed.unmount(value)
            }
        }
        table.pointee.path = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .storage, operation: "path", request: value) }
                guard let typed = driver as? any StorageDriver else { throw .notSupported("storage.path") }
                return try typed.path(value)
            }
        }
        table.pointee.get = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .storage, operation: "get", request: value) }
                guard let typed = driver as? any StorageDriver else { throw .notSupported("storage.get") }
                return try typed.get(value)
            }
        }
        table.pointee.list = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .storage, operation: "list", request: value) }
                guard let typed = driver as? any StorageDriver else { throw .notSupported("storage.list") }
                return try typed.list(value)
            }
        }
        table.pointee.capabilities = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .storage, operation: "capabilities", request: value) }
                guard let typed = driver as? any StorageDriver else { throw .notSupported("storage.capabilities") }
                return try typed.capabilities(value)
            }
        }
        return UnsafePointer(table)
    }()

    nonisolated(unsafe) static let orchestrator: UnsafePointer<paddock_orchestrator_ops> = {
        let table = UnsafeMutablePointer<paddock_orchestrator_ops>.allocate(capacity: 1)
        table.initialize(to: paddock_orchestrator_ops())
        table.pointee.struct_size = UInt32(MemoryLayout<paddock_orchestrator_ops>.size)
        table.pointee.version = PADDOCK_ORCHESTRATOR_VERSION
        table.pointee.deploy = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .orchestrator, operation: "deploy", request: value) }
                guard let typed = driver as? any OrchestratorDriver else { throw .notSupported("orchestrator.deploy") }
                return try typed.deploy(value)
            }
        }
        table.pointee.remove = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .orchestrator, operation: "remove", request: value) }
                guard let typed = driver as? any OrchestratorDriver else { throw .notSupported("orchestrator.remove") }
                return try typed.remove(value)
            }
        }
        table.pointee.scale = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .orchestrator, operation: "scale", request: value) }
                guard let typed = driver as? any OrchestratorDriver else { throw .notSupported("orchestrator.scale") }
                return try typed.scale(value)
            }
        }
        table.pointee.status = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .orchestrator, operation: "status", request: value) }
                guard let typed = driver as? any OrchestratorDriver else { throw .notSupported("orchestrator.status") }
                return try typed.status(value)
            }
        }
        table.pointee.list = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .orchestrator, operation: "list", request: value) }
                guard let typed = driver as? any OrchestratorDriver else { throw .notSupported("orchestrator.list") }
                return try typed.list(value)
            }
        }
        table.pointee.logs = { instance, request, length, response in
            Exported.dispatch(instance, request, length, response) { driver, value throws(DriverError) in
                if let raw = driver as? any RawDriver { return try raw.handle(kind: .orchestrator, operation: "logs", request: value) }
                guard let typed = driver as? any OrchestratorDriver else { throw .notSupported("orchestrator.logs") }
                return try typed.logs(value)
            }
        }
        return UnsafePointer(table)
    }()
}
