#define _GNU_SOURCE
#include <sched.h>
#include <sys/vfs.h>
#include "CPaddockNamespace.h"

int paddock_setns(int fd, int nstype) { return setns(fd, nstype); }
int paddock_unshare(int flags) { return unshare(flags); }
long paddock_fs_type(int fd) { struct statfs info; return fstatfs(fd, &info) == 0 ? (long)info.f_type : -1; }
