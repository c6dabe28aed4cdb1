/* Connects to the NFS server first, so a server that is down or an export that is missing fails
 * here with a message and no mount, then hands the mount point to libfuse (which daemonizes only
 * once the mount exists, unless --foreground). */
#include "nfs_fuse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: paddock-nfs-fuse [--timeout SECONDS] [--foreground] [-o FUSE_OPTIONS] URL MOUNTPOINT\n"
            "\n"
            "Mounts the NFS directory URL (nfs://HOST/PATH?version=4&nfsport=PORT, as libnfs reads it)\n"
            "on MOUNTPOINT through FUSE, so that what is written there lands on the server. Connects\n"
            "first: a server that does not answer within --timeout seconds (default 10) or a path it\n"
            "does not export is an error (exit 2) and nothing is mounted. Without --foreground it\n"
            "returns once the mount is in place and serves it in the background until unmounted\n"
            "(fusermount3 -u MOUNTPOINT). FUSE_OPTIONS go to libfuse (ro, allow_other, ...).\n");
}

int main(int argc, char **argv) {
    int timeout_seconds = 10, foreground = 0;
    const char *url = NULL, *mountpoint = NULL, *fuse_options = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            timeout_seconds = atoi(argv[++i]);
            if (timeout_seconds < 1) timeout_seconds = 1;
        } else if (strcmp(argv[i], "--foreground") == 0) {
            foreground = 1;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            fuse_options = argv[++i];
        } else if (!url) {
            url = argv[i];
        } else if (!mountpoint) {
            mountpoint = argv[i];
        } else {
            usage(stderr);
            return 64;
        }
    }
    if (!url || !mountpoint) {
        usage(stderr);
        return 64;
    }

    char error[4600];
    if (nfs_fuse_connect(url, timeout_seconds, error, sizeof error) != 0) {
        fprintf(stderr, "paddock-nfs-fuse: %s\n", error);
        return 2;
    }

    char fsname[4200];
    const char *server_path = strstr(url, "://");
    snprintf(fsname, sizeof fsname, "fsname=%.*s,subtype=paddock-nfs", (int)strcspn(server_path ? server_path + 3 : url, "?"),
             server_path ? server_path + 3 : url);
    char *fuse_argv[8];
    int fuse_argc = 0;
    fuse_argv[fuse_argc++] = argv[0];
    fuse_argv[fuse_argc++] = (char *)mountpoint;
    fuse_argv[fuse_argc++] = "-s";
    if (foreground) fuse_argv[fuse_argc++] = "-f";
    fuse_argv[fuse_argc++] = "-o";
    fuse_argv[fuse_argc++] = fsname;
    if (fuse_options && *fuse_options) {
        fuse_argv[fuse_argc++] = "-o";
        fuse_argv[fuse_argc++] = (char *)fuse_options;
    }
    int result = fuse_main(fuse_argc, fuse_argv, &nfs_fuse_operations, NULL);
    nfs_umount(nfs_fuse_context);
    nfs_destroy_context(nfs_fuse_context);
    return result;
}
