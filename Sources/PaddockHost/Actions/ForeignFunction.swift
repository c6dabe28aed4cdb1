import CFFI

/// A C function whose type is known only at run time, called through libffi. This is the only
/// file that touches libffi: it prepares the call interface once (`ffi_prep_cif`) and calls
/// (`ffi_call`) with pointers to the arguments' storage. Every function returns int32_t
/// (paddock_status).
final class ForeignFunction {
    enum CType {
        case pointer, int64, double, size

        var ffiType: UnsafeMutablePointer<ffi_type> {
            switch self {
            case .pointer: paddock_ffi_type_pointer()
            case .int64: paddock_ffi_type_sint64()
            case .double: paddock_ffi_type_double()
            case .size: paddock_ffi_type_size()
            }
        }
    }

    let name: String
    let argumentTypes: [CType]
    private let address: UnsafeMutableRawPointer
    private let cif: UnsafeMutablePointer<ffi_cif>
    /// ffi_prep_cif keeps this pointer in the cif: it must live as long as the cif.
    private let typeList: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>

    /// `name` is how errors refer to the function (plugin and action).
    init(address: UnsafeMutableRawPointer, argumentTypes: [CType], name: String) throws(ForeignCallError) {
        self.name = name
        self.address = address
        self.argumentTypes = argumentTypes
        cif = .allocate(capacity: 1)
        cif.initialize(to: ffi_cif())
        typeList = .allocate(capacity: max(argumentTypes.count, 1))
        for (index, type) in argumentTypes.enumerated() { (typeList + index).initialize(to: type.ffiType) }
        let status = ffi_prep_cif(cif, FFI_DEFAULT_ABI, UInt32(argumentTypes.count), paddock_ffi_type_sint32(), typeList)
        guard status == FFI_OK else {
            throw ForeignCallError(call: "ffi_prep_cif", function: name, status: Int(status.rawValue))
        }
    }

    deinit {
        cif.deallocate()
        typeList.deallocate()
    }

    /// Calls the function. `arguments[i]` points at storage holding argument i, typed as
    /// `argumentTypes[i]` says.
    func call(_ arguments: [UnsafeMutableRawPointer]) -> Int32 {
        precondition(arguments.count == argumentTypes.count, "\(name): \(arguments.count) arguments for \(argumentTypes.count) types")
        // libffi widens integral return values to a full ffi_arg register.
        var returned: ffi_arg = 0
        var values = arguments.map { Optional($0) }
        let function = unsafeBitCast(address, to: (@convention(c) () -> Void).self)
        values.withUnsafeMutableBufferPointer { buffer in
            ffi_call(cif, function, &returned, buffer.baseAddress)
        }
        return Int32(truncatingIfNeeded: returned)
    }
}

/// libffi refused to prepare a call (a bad type or ABI): names the libffi call and the function.
struct ForeignCallError: Error, Sendable, CustomStringConvertible {
    var call: String
    var function: String
    var status: Int
    var description: String { "\(call) failed for \(function) (ffi_status \(status))" }
}
