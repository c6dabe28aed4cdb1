/* libffi, the one library the design names for calling extension actions. */
#include <ffi.h>

/* libffi's type descriptors are mutable C globals; Swift 6 refuses to touch those directly, and
 * their addresses are all the host needs. */
static inline ffi_type *paddock_ffi_type_pointer(void) { return &ffi_type_pointer; }
static inline ffi_type *paddock_ffi_type_sint64(void) { return &ffi_type_sint64; }
static inline ffi_type *paddock_ffi_type_sint32(void) { return &ffi_type_sint32; }
static inline ffi_type *paddock_ffi_type_double(void) { return &ffi_type_double; }
/* size_t, whatever its width on this target. */
static inline ffi_type *paddock_ffi_type_size(void) {
    return sizeof(size_t) == 8 ? &ffi_type_uint64 : &ffi_type_uint32;
}
