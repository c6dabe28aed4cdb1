import PluginABI
import PaddockCore

/// The C storage for one action call: an 8-byte slot per C argument (libffi reads each argument
/// through a pointer to its slot) and copies of strings and buffers, valid until `release`.
/// The frame is `void *instance, <arguments by letter>, paddock_buffer *result`.
final class ActionArgumentFrame {
    private(set) var types: [ForeignFunction.CType] = []
    private(set) var slots: [UnsafeMutableRawPointer] = []
    private var copies: [UnsafeMutableRawPointer] = []

    init(instance: UnsafeMutableRawPointer?, arguments: [ActionValue], result: UnsafeMutablePointer<paddock_buffer>) {
        append(.pointer, instance)
        for argument in arguments {
            switch argument {
            case .integer(let value): append(.int64, value)
            case .float(let value): append(.double, value)
            case .string(let text): append(.pointer, copy(Array(text.utf8) + [0]))
            case .buffer(let bytes):
                // Never NULL, also for an empty buffer, so plugins can memcpy without a check.
                append(.pointer, copy(bytes))
                append(.size, bytes.count)
            }
        }
        append(.pointer, UnsafeMutableRawPointer(result))
    }

    deinit { release() }

    /// The C argument types of an action: the instance, one or two per letter, the result.
    static func types(for signature: [ExtensionAction.Argument]) -> [ForeignFunction.CType] {
        [.pointer] + signature.flatMap { letter -> [ForeignFunction.CType] in
            switch letter {
            case .integer: [.int64]
            case .float: [.double]
            case .string: [.pointer]
            case .buffer: [.pointer, .size]
            }
        } + [.pointer]
    }

    func release() {
        slots.forEach { $0.deallocate() }
        copies.forEach { $0.deallocate() }
        slots = []
        copies = []
    }

    private func append<T>(_ type: ForeignFunction.CType, _ value: T) {
        precondition(MemoryLayout<T>.size <= 8)
        let slot = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
        slot.storeBytes(of: value, as: T.self)
        types.append(type)
        slots.append(slot)
    }

    private func copy(_ bytes: [UInt8]) -> UnsafeMutableRawPointer {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress { memory.copyMemory(from: base, byteCount: raw.count) }
        }
        copies.append(memory)
        return memory
    }
}
