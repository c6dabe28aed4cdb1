/* SwiftPM builds a C target only from at least one source file; the contract itself is header-only. */
#include <paddock/plugin.h>
