/* chmod, chown and utimens of a directory. libnfs 4.0 sets NFSv4 attributes by OPENing the file
 * first, which a directory refuses (EISDIR); here the same SETATTR goes out in a COMPOUND of our
 * own — PUTROOTFH, one LOOKUP per path component, SETATTR with the anonymous stateid — through
 * libnfs's raw RPC layer on the connected context. */
#include "nfs_fuse.h"

#include <errno.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

struct setattr_reply {
    int done;
    int status;
};

static int errno_of(nfsstat4 status) {
    if (status == NFS4_OK) return 0;
    if (status == NFS4ERR_EXPIRED || status == NFS4ERR_STALE_CLIENTID) return -ERANGE; /* reconnect */
    /* Below 100, NFSv4 errors are the POSIX errno values (RFC 7530 §13.1). */
    return (int)status < 100 ? -(int)status : -EIO;
}

static void replied(struct rpc_context *rpc, int status, void *data, void *private_data) {
    (void)rpc;
    struct setattr_reply *reply = private_data;
    reply->done = 1;
    if (status != RPC_STATUS_SUCCESS) {
        reply->status = status == RPC_STATUS_TIMEOUT ? -ETIMEDOUT : -EIO;
        return;
    }
    reply->status = errno_of(((COMPOUND4res *)data)->status);
}

/* Appends a big-endian 32-bit word to an XDR buffer. */
static size_t put32(char *out, size_t at, uint32_t value) {
    out[at] = (char)(value >> 24);
    out[at + 1] = (char)(value >> 16);
    out[at + 2] = (char)(value >> 8);
    out[at + 3] = (char)value;
    return at + 4;
}

static size_t put_string(char *out, size_t at, const char *text) {
    size_t length = strlen(text);
    at = put32(out, at, (uint32_t)length);
    memcpy(out + at, text, length);
    at += length;
    while (at % 4) out[at++] = 0;
    return at;
}

static size_t put_time(char *out, size_t at, const struct timeval *time) {
    at = put32(out, at, SET_TO_CLIENT_TIME4);
    at = put32(out, at, (uint32_t)((uint64_t)time->tv_sec >> 32));
    at = put32(out, at, (uint32_t)time->tv_sec);
    return put32(out, at, (uint32_t)time->tv_usec * 1000u);
}

/* Sends the COMPOUND for `path` (relative to the mounted export) and waits for the reply. */
static int send_setattr(const char *path, uint32_t mask_word1, char *values, size_t values_length) {
    char joined[8192];
    snprintf(joined, sizeof joined, "%s/%s", nfs_fuse_export_path, path);
    nfs_argop4 ops[130];
    u_int count = 0;
    memset(ops, 0, sizeof ops);
    ops[count++].argop = OP_PUTROOTFH;
    for (char *saved = NULL, *part = strtok_r(joined, "/", &saved); part; part = strtok_r(NULL, "/", &saved)) {
        if (count >= 128) return -ENAMETOOLONG;
        ops[count].argop = OP_LOOKUP;
        ops[count].nfs_argop4_u.oplookup.objname.utf8string_len = (u_int)strlen(part);
        ops[count].nfs_argop4_u.oplookup.objname.utf8string_val = part;
        count++;
    }
    uint32_t mask[2] = {0, mask_word1};
    SETATTR4args *setattr = &ops[count].nfs_argop4_u.opsetattr;
    ops[count++].argop = OP_SETATTR;
    /* The anonymous stateid (all zeros): attributes other than size need no open state. */
    setattr->obj_attributes.attrmask.bitmap4_len = 2;
    setattr->obj_attributes.attrmask.bitmap4_val = mask;
    setattr->obj_attributes.attr_vals.attrlist4_len = (u_int)values_length;
    setattr->obj_attributes.attr_vals.attrlist4_val = values;

    COMPOUND4args args;
    memset(&args, 0, sizeof args);
    args.argarray.argarray_len = count;
    args.argarray.argarray_val = ops;
    /* On the heap: a reply that arrives after we gave up must not write into a dead frame. */
    struct setattr_reply *reply = calloc(1, sizeof *reply);
    if (!reply) return -ENOMEM;
    if (rpc_nfs4_compound_async(nfs_get_rpc_context(nfs_fuse_context), replied, &args, reply) != 0) {
        free(reply);
        return -EIO;
    }
    while (!reply->done) {
        struct pollfd descriptor = {.fd = nfs_get_fd(nfs_fuse_context), .events = (short)nfs_which_events(nfs_fuse_context)};
        int ready = poll(&descriptor, 1, 100);
        if (ready < 0 && errno != EINTR) return -EIO;
        if (nfs_service(nfs_fuse_context, ready > 0 ? descriptor.revents : 0) < 0) return -EIO;
    }
    int status = reply->status;
    free(reply);
    return status;
}

int nfs_fuse_directory_chmod(const char *path, mode_t mode) {
    char values[4];
    return send_setattr(path, 1u << (FATTR4_MODE - 32), values, put32(values, 0, (uint32_t)(mode & 07777)));
}

int nfs_fuse_directory_chown(const char *path, uid_t uid, gid_t gid) {
    /* Numeric owner strings, as the server is configured to send and take (see the README). */
    char owner[16], group[16], values[64];
    snprintf(owner, sizeof owner, "%u", (unsigned)uid);
    snprintf(group, sizeof group, "%u", (unsigned)gid);
    size_t length = put_string(values, 0, owner);
    length = put_string(values, length, group);
    return send_setattr(path, (1u << (FATTR4_OWNER - 32)) | (1u << (FATTR4_OWNER_GROUP - 32)), values, length);
}

int nfs_fuse_directory_utimes(const char *path, const struct timeval times[2]) {
    char values[32];
    size_t length = put_time(values, 0, &times[0]);
    length = put_time(values, length, &times[1]);
    return send_setattr(path, (1u << (FATTR4_TIME_ACCESS_SET - 32)) | (1u << (FATTR4_TIME_MODIFY_SET - 32)), values, length);
}
