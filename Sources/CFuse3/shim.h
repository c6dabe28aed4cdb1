// libfuse3 (Debian libfuse3-dev), high-level API version 3.1 (what Debian 12's 3.14 serves).
#define FUSE_USE_VERSION 31
#include <fuse.h>
