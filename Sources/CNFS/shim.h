// libnfs (Debian libnfs-dev): the NFS client library, sync API. libnfs.h needs the POSIX types first.
#include <sys/types.h>
#include <sys/time.h>
#include <stdint.h>
#include <nfsc/libnfs.h>
