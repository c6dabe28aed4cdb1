/* paddock-nfs-fuse: an NFS export mounted in userspace (libfuse3 high-level API over libnfs's
 * synchronous calls). The session runs single-threaded (-s) because one libnfs context is not
 * safe to share between threads. */
#ifndef PADDOCK_NFS_FUSE_H
#define PADDOCK_NFS_FUSE_H

#define FUSE_USE_VERSION 31
#include <fuse.h>
#include <sys/types.h>
#include <sys/time.h>
#include <stdint.h>
#include <nfsc/libnfs.h>

/* The connected context every operation uses, and how many times it was (re)made. */
extern struct nfs_context *nfs_fuse_context;
extern unsigned nfs_fuse_generation;

/* Connects to URL (bounded by timeout_seconds per call): 0, or -errno with a message in error. */
int nfs_fuse_connect(const char *url, int timeout_seconds, char *error, size_t error_size);

/* libnfs 4.0 never renews its NFSv4 lease: once the client has been idle past the server's lease
 * time, every stateful call fails with NFS4ERR_EXPIRED (-ERANGE). Then we connect again (a new
 * client id) and retry once; open files are reopened lazily through their generation. */
int nfs_fuse_reconnect(void);

/* The AUTH_SYS identity for the next calls; kept across reconnects. */
void nfs_fuse_set_caller(int uid, int gid);
int nfs_fuse_lost_state(int status);

#define NFS_RETRYING(call)                                                            \
    ({                                                                                \
        int status_ = (call);                                                         \
        if (nfs_fuse_lost_state(status_) && nfs_fuse_reconnect() == 0) status_ = (call); \
        status_;                                                                      \
    })

/* The file operations, in operations.c. */
extern const struct fuse_operations nfs_fuse_operations;

#endif
