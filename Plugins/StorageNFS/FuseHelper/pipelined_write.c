/* A FUSE write (up to 128 KiB) goes out as many small NFSv4 WRITEs (see NFS4_WRITE_CHUNK); sent
 * one after another, each waits a full round trip. Here they are all queued at once with libnfs's
 * async calls and the context is serviced until every reply is in. */
#include "nfs_fuse.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

struct write_batch {
    int pending;
    int error;
};

static void written(int status, struct nfs_context *nfs, void *data, void *private_data) {
    (void)nfs;
    (void)data;
    struct write_batch *batch = private_data;
    batch->pending--;
    if (status < 0 && batch->error == 0) batch->error = status;
}

int nfs_fuse_pwrite_pipelined(struct nfsfh *fh, uint64_t offset, const char *buf, size_t size, size_t chunk) {
    /* On the heap: if the connection breaks with replies outstanding, their callbacks may still
     * run (when the context is destroyed), so the batch must outlive this call. */
    struct write_batch *batch = calloc(1, sizeof *batch);
    if (!batch) return -ENOMEM;
    for (size_t done = 0; done < size;) {
        size_t piece = size - done < chunk ? size - done : chunk;
        if (nfs_pwrite_async(nfs_fuse_context, fh, offset + done, piece, buf + done, written, batch) != 0) {
            batch->error = -EIO;
            break;
        }
        batch->pending++;
        done += piece;
    }
    while (batch->pending > 0) {
        struct pollfd descriptor = {.fd = nfs_get_fd(nfs_fuse_context), .events = (short)nfs_which_events(nfs_fuse_context)};
        /* Wake at least every 100 ms: libnfs handles its timeouts inside nfs_service. */
        int ready = poll(&descriptor, 1, 100);
        if (ready < 0 && errno != EINTR) break;
        if (nfs_service(nfs_fuse_context, ready > 0 ? descriptor.revents : 0) < 0) break;
    }
    if (batch->pending > 0) return batch->error ? batch->error : -EIO; /* batch deliberately kept */
    int error = batch->error;
    free(batch);
    return error ? error : (int)size;
}
