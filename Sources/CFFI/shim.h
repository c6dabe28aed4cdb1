/* libffi, the one library the design names for calling extension actions. */
#include <ffi.h>
