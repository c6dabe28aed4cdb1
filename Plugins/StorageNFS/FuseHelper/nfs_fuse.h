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

/* Writes size bytes at offset as WRITEs of at most chunk bytes, all in flight at once (in
 * pipelined_write.c). Returns size, or -errno. */
int nfs_fuse_pwrite_pipelined(struct nfsfh *fh, uint64_t offset, const char *buf, size_t size, size_t chunk);

/* The export's path on the server (the URL's path), for COMPOUNDs built by hand. */
extern char nfs_fuse_export_path[4096];

/* SETATTR of a directory, which libnfs 4.0 cannot do over NFSv4 (directory_setattr.c); 0 or -errno. */
int nfs_fuse_directory_chmod(const char *path, mode_t mode);
int nfs_fuse_directory_chown(const char *path, uid_t uid, gid_t gid);
int nfs_fuse_directory_utimes(const char *path, const struct timeval times[2]);

/* The file operations, in operations.c. */
extern const struct fuse_operations nfs_fuse_operations;

#endif
