/* The one libnfs context of the process, and making it again when the server forgot us. */
#include "nfs_fuse.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct nfs_context *nfs_fuse_context;
unsigned nfs_fuse_generation;
char nfs_fuse_export_path[4096];

static char saved_url[4096];
static int saved_timeout;
static int caller_uid = -1, caller_gid = -1;

void nfs_fuse_set_caller(int uid, int gid) {
    caller_uid = uid;
    caller_gid = gid;
    nfs_set_uid(nfs_fuse_context, uid);
    nfs_set_gid(nfs_fuse_context, gid);
}

int nfs_fuse_connect(const char *url, int timeout_seconds, char *error, size_t error_size) {
    struct nfs_context *nfs = nfs_init_context();
    if (!nfs) {
        snprintf(error, error_size, "nfs_init_context failed");
        return -ENOMEM;
    }
    /* libnfs takes whole seconds, in milliseconds. */
    nfs_set_timeout(nfs, timeout_seconds * 1000);
    struct nfs_url *parsed = nfs_parse_url_dir(nfs, url);
    if (!parsed) {
        snprintf(error, error_size, "%s is not an NFS URL: %s", url, nfs_get_error(nfs));
        nfs_destroy_context(nfs);
        return -EINVAL;
    }
    int status = nfs_mount(nfs, parsed->server, parsed->path);
    if (status != 0) {
        snprintf(error, error_size, "nfs_mount %s failed: %s (%s)", url, nfs_get_error(nfs), strerror(-status));
        nfs_destroy_url(parsed);
        nfs_destroy_context(nfs);
        return status;
    }
    snprintf(nfs_fuse_export_path, sizeof nfs_fuse_export_path, "%s", parsed->path);
    nfs_destroy_url(parsed);
    if (caller_uid >= 0) {
        nfs_set_uid(nfs, caller_uid);
        nfs_set_gid(nfs, caller_gid);
    }
    if (nfs_fuse_context) nfs_destroy_context(nfs_fuse_context);
    nfs_fuse_context = nfs;
    nfs_fuse_generation++;
    snprintf(saved_url, sizeof saved_url, "%s", url);
    saved_timeout = timeout_seconds;
    return 0;
}

int nfs_fuse_reconnect(void) {
    char error[512];
    int status = nfs_fuse_connect(saved_url, saved_timeout, error, sizeof error);
    if (status != 0) fprintf(stderr, "paddock-nfs-fuse: reconnecting: %s\n", error);
    return status;
}

int nfs_fuse_lost_state(int status) {
    if (status == -ERANGE) return 1;
    if (status >= 0) return 0;
    const char *message = nfs_get_error(nfs_fuse_context);
    return message && (strstr(message, "NFS4ERR_EXPIRED") || strstr(message, "NFS4ERR_STALE_CLIENTID") ||
                       strstr(message, "NFS4ERR_BAD_STATEID") || strstr(message, "NFS4ERR_STALE_STATEID"));
}
