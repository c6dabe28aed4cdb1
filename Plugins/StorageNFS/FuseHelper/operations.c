/* The FUSE file operations, each one libnfs call (or a short loop of them). libnfs returns 0 or
 * -errno, which is what FUSE wants back. Requests are made with the caller's uid and gid so that
 * the server's permission checks and file ownership match a kernel NFS mount. */
#include "nfs_fuse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#define NFS nfs_fuse_context

static void as_caller(void) {
    struct fuse_context *caller = fuse_get_context();
    if (!caller) return;
    nfs_fuse_set_caller((int)caller->uid, (int)caller->gid);
}

/* An open file: the libnfs handle, and what is needed to open it again on a new connection. */
struct open_file {
    struct nfsfh *fh;
    unsigned generation;
    int flags;
    char *path;
};

/* libnfs's open knows the access mode, O_APPEND, O_SYNC and O_TRUNC; the rest are local matters. */
static int nfs_open_flags(int flags) { return flags & (O_ACCMODE | O_APPEND | O_SYNC | O_TRUNC); }

static struct open_file *file_of(const struct fuse_file_info *fi) { return (struct open_file *)(uintptr_t)fi->fh; }

static int remember(struct fuse_file_info *fi, const char *path, struct nfsfh *fh) {
    struct open_file *file = calloc(1, sizeof *file);
    if (!file || !(file->path = strdup(path))) {
        free(file);
        nfs_close(NFS, fh);
        return -ENOMEM;
    }
    file->fh = fh;
    file->generation = nfs_fuse_generation;
    file->flags = nfs_open_flags(fi->flags) & ~O_TRUNC;
    fi->fh = (uint64_t)(uintptr_t)file;
    return 0;
}

/* The file's handle on the current connection, reopened after a reconnect. */
static struct nfsfh *handle(const struct fuse_file_info *fi) {
    struct open_file *file = file_of(fi);
    if (file->generation != nfs_fuse_generation) {
        struct nfsfh *fresh = NULL;
        if (nfs_open(NFS, file->path, file->flags, &fresh) == 0) {
            file->fh = fresh;
            file->generation = nfs_fuse_generation;
        }
    }
    return file->fh;
}

/* The mount's root: libnfs refuses SETATTR on it outright (EINVAL), so it goes the directory way. */
static int is_root(const char *path) { return path[0] == '/' && path[1] == '\0'; }

static void fill_stat(struct stat *st, const struct nfs_stat_64 *n) {
    memset(st, 0, sizeof *st);
    st->st_dev = (dev_t)n->nfs_dev;
    st->st_ino = (ino_t)n->nfs_ino;
    st->st_mode = (mode_t)n->nfs_mode;
    st->st_nlink = (nlink_t)n->nfs_nlink;
    st->st_uid = (uid_t)n->nfs_uid;
    st->st_gid = (gid_t)n->nfs_gid;
    st->st_rdev = (dev_t)n->nfs_rdev;
    st->st_size = (off_t)n->nfs_size;
    st->st_blksize = (blksize_t)n->nfs_blksize;
    st->st_blocks = (blkcnt_t)n->nfs_blocks;
    st->st_atim.tv_sec = (time_t)n->nfs_atime;
    st->st_atim.tv_nsec = (long)n->nfs_atime_nsec;
    st->st_mtim.tv_sec = (time_t)n->nfs_mtime;
    st->st_mtim.tv_nsec = (long)n->nfs_mtime_nsec;
    st->st_ctim.tv_sec = (time_t)n->nfs_ctime;
    st->st_ctim.tv_nsec = (long)n->nfs_ctime_nsec;
}

static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
    struct nfs_stat_64 n;
    int status = NFS_RETRYING(fi ? nfs_fstat64(NFS, handle(fi), &n) : nfs_lstat64(NFS, path, &n));
    if (status == 0) fill_stat(st, &n);
    return status;
}

static int op_readlink(const char *path, char *buf, size_t size) {
    char *target = NULL;
    int status = NFS_RETRYING(nfs_readlink2(NFS, path, &target));
    if (status != 0) return status;
    strncpy(buf, target, size - 1);
    buf[size - 1] = '\0';
    free(target);
    return 0;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t offset, struct fuse_file_info *fi,
                      enum fuse_readdir_flags flags) {
    (void)offset;
    (void)fi;
    (void)flags;
    struct nfsdir *dir = NULL;
    int status = NFS_RETRYING(nfs_opendir(NFS, path, &dir));
    if (status != 0) return status;
    struct nfsdirent *entry;
    while ((entry = nfs_readdir(NFS, dir)) != NULL) {
        if (filler(buf, entry->name, NULL, 0, 0) != 0) break;
    }
    nfs_closedir(NFS, dir);
    return 0;
}

static int op_mkdir(const char *path, mode_t mode) {
    as_caller();
    return NFS_RETRYING(nfs_mkdir2(NFS, path, (int)mode));
}

static int op_rmdir(const char *path) {
    as_caller();
    return NFS_RETRYING(nfs_rmdir(NFS, path));
}

static int op_unlink(const char *path) {
    as_caller();
    return NFS_RETRYING(nfs_unlink(NFS, path));
}

static int op_symlink(const char *target, const char *path) {
    as_caller();
    return NFS_RETRYING(nfs_symlink(NFS, target, path));
}

static int op_rename(const char *from, const char *to, unsigned int flags) {
    /* RENAME_NOREPLACE / RENAME_EXCHANGE have no NFS equivalent. */
    if (flags) return -EINVAL;
    as_caller();
    return NFS_RETRYING(nfs_rename(NFS, from, to));
}

static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
    (void)fi;
    as_caller();
    if (is_root(path)) return NFS_RETRYING(nfs_fuse_directory_chmod(path, mode));
    int status = NFS_RETRYING(nfs_chmod(NFS, path, (int)(mode & 07777)));
    return status == -EISDIR ? NFS_RETRYING(nfs_fuse_directory_chmod(path, mode)) : status;
}

static int op_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
    (void)fi;
    as_caller();
    /* -1 means "leave as is": NFS needs both, so fill in the current owner. */
    if (uid == (uid_t)-1 || gid == (gid_t)-1) {
        struct nfs_stat_64 n;
        int status = nfs_lstat64(NFS, path, &n);
        if (status != 0) return status;
        if (uid == (uid_t)-1) uid = (uid_t)n.nfs_uid;
        if (gid == (gid_t)-1) gid = (gid_t)n.nfs_gid;
    }
    if (is_root(path)) return NFS_RETRYING(nfs_fuse_directory_chown(path, uid, gid));
    int status = NFS_RETRYING(nfs_lchown(NFS, path, (int)uid, (int)gid));
    return status == -EISDIR ? NFS_RETRYING(nfs_fuse_directory_chown(path, uid, gid)) : status;
}

static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
    as_caller();
    return NFS_RETRYING(fi ? nfs_ftruncate(NFS, handle(fi), (uint64_t)size) : nfs_truncate(NFS, path, (uint64_t)size));
}

static int op_open(const char *path, struct fuse_file_info *fi) {
    as_caller();
    struct nfsfh *fh = NULL;
    int status = NFS_RETRYING(nfs_open(NFS, path, nfs_open_flags(fi->flags), &fh));
    return status == 0 ? remember(fi, path, fh) : status;
}

static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
    as_caller();
    struct nfsfh *fh = NULL;
    int flags = nfs_open_flags(fi->flags) | (fi->flags & O_EXCL);
    int status = NFS_RETRYING(nfs_create(NFS, path, flags, (int)(mode & 07777), &fh));
    if (status != 0) return status;
    /* libnfs 4.0's NFSv4 create leaves the file 0600 whatever the mode: set it explicitly. */
    status = nfs_fchmod(NFS, fh, (int)(mode & 07777));
    if (status != 0) {
        nfs_close(NFS, fh);
        return status;
    }
    return remember(fi, path, fh);
}

/* libnfs 4.0 encodes NFSv4 WRITE data into a fixed 4 KiB request buffer ("Failed to encode
 * COMPOUND4args" above about 3.9 KiB here), so larger writes go out in pieces of this size; the
 * margin leaves room for the largest NFSv4 file handle (128 bytes). */
#define NFS4_WRITE_CHUNK 3584

/* The server may answer with less than asked (its read/write maximum): loop until done or EOF. */
static int op_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi) {
    (void)path;
    size_t done = 0;
    while (done < size) {
        int got = NFS_RETRYING(nfs_pread(NFS, handle(fi), (uint64_t)offset + done, size - done, buf + done));
        if (got < 0) return done ? (int)done : got;
        if (got == 0) break;
        done += (size_t)got;
    }
    return (int)done;
}

static int op_write(const char *path, const char *buf, size_t size, off_t offset, struct fuse_file_info *fi) {
    (void)path;
    /* Rewriting the same bytes at the same offsets is harmless, so a lost lease retries it all. */
    return NFS_RETRYING(nfs_fuse_pwrite_pipelined(handle(fi), (uint64_t)offset, buf, size, NFS4_WRITE_CHUNK));
}

static int op_statfs(const char *path, struct statvfs *out) {
    struct nfs_statvfs_64 n;
    int status = NFS_RETRYING(nfs_statvfs64(NFS, path, &n));
    if (status != 0) return status;
    memset(out, 0, sizeof *out);
    out->f_bsize = n.f_bsize;
    out->f_frsize = n.f_frsize ? n.f_frsize : n.f_bsize;
    out->f_blocks = n.f_blocks;
    out->f_bfree = n.f_bfree;
    out->f_bavail = n.f_bavail;
    out->f_files = n.f_files;
    out->f_ffree = n.f_ffree;
    out->f_favail = n.f_favail;
    out->f_fsid = n.f_fsid;
    out->f_namemax = n.f_namemax ? n.f_namemax : 255;
    return 0;
}

static int op_release(const char *path, struct fuse_file_info *fi) {
    (void)path;
    struct open_file *file = file_of(fi);
    /* A handle from an earlier connection is gone with it. */
    int status = file->generation == nfs_fuse_generation ? nfs_close(NFS, file->fh) : 0;
    free(file->path);
    free(file);
    return nfs_fuse_lost_state(status) ? 0 : status;
}

static int op_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
    (void)path;
    (void)datasync;
    return NFS_RETRYING(nfs_fsync(NFS, handle(fi)));
}

static void now_or(const struct timespec *in, struct timeval *out, uint64_t current_sec, uint64_t current_nsec) {
    if (in->tv_nsec == UTIME_NOW) {
        gettimeofday(out, NULL);
    } else if (in->tv_nsec == UTIME_OMIT) {
        out->tv_sec = (time_t)current_sec;
        out->tv_usec = (suseconds_t)(current_nsec / 1000);
    } else {
        out->tv_sec = in->tv_sec;
        out->tv_usec = in->tv_nsec / 1000;
    }
}

static int op_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
    (void)fi;
    as_caller();
    struct nfs_stat_64 n;
    int status = nfs_lstat64(NFS, path, &n);
    if (status != 0) return status;
    struct timeval times[2];
    now_or(&tv[0], &times[0], n.nfs_atime, n.nfs_atime_nsec);
    now_or(&tv[1], &times[1], n.nfs_mtime, n.nfs_mtime_nsec);
    if (is_root(path)) return NFS_RETRYING(nfs_fuse_directory_utimes(path, times));
    status = NFS_RETRYING(nfs_utimes(NFS, path, times));
    return status == -EISDIR ? NFS_RETRYING(nfs_fuse_directory_utimes(path, times)) : status;
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
    (void)conn;
    /* Inode numbers from the server, so hard links and `find` see what the server sees. */
    cfg->use_ino = 1;
    return NULL;
}

const struct fuse_operations nfs_fuse_operations = {
    .init = op_init,
    .getattr = op_getattr,
    .readlink = op_readlink,
    .readdir = op_readdir,
    .mkdir = op_mkdir,
    .rmdir = op_rmdir,
    .unlink = op_unlink,
    .symlink = op_symlink,
    .rename = op_rename,
    .chmod = op_chmod,
    .chown = op_chown,
    .truncate = op_truncate,
    .open = op_open,
    .create = op_create,
    .read = op_read,
    .write = op_write,
    .statfs = op_statfs,
    .release = op_release,
    .fsync = op_fsync,
    .utimens = op_utimens,
};
