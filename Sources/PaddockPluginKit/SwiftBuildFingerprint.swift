/// The Swift toolchain that built this plugin, as a `swift=VERSION` entry of the `paddock_build
/// section (concatenated with the C side's entries at link time). The host refuses a Swift plugin
/// built by another toolchain: Swift has no stable ABI on Linux. Must match HostToolchain.

#if compiler(>=6.5)
@section("paddock_build") @used
let paddockSwiftBuild: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
    (115, 119, 105, 102, 116, 61, 54, 46, 53, 43, 0)
#elseif compiler(>=6.4)
@section("paddock_build") @used
let paddockSwiftBuild: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
    (115, 119, 105, 102, 116, 61, 54, 46, 52, 0)
#elseif compiler(>=6.3.2)
@section("paddock_build") @used
let paddockSwiftBuild: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
    (115, 119, 105, 102, 116, 61, 54, 46, 51, 46, 50, 0)
#elseif compiler(>=6.3.1)
@section("paddock_build") @used
let paddockSwiftBuild: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
    (115, 119, 105, 102, 116, 61, 54, 46, 51, 46, 49, 0)
#elseif compiler(>=6.3)
@section("paddock_build") @used
let paddockSwiftBuild: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
    (115, 119, 105, 102, 116, 61, 54, 46, 51, 46, 48, 0)
#else
@section("paddock_build") @used
let paddockSwiftBuild: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
    (115, 119, 105, 102, 116, 61, 111, 108, 100, 101, 114, 0)
#endif
