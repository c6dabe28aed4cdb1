/* The `paddock` CNI plugin as installed: a C program with no Swift runtime, so a runtime's exec
 * costs what a static binary's does. It forwards the invocation (the CNI_* variables and stdin)
 * to `paddock cni serve` through DIR/paddock.sock and prints the answer; when nothing listens
 * there it execs DIR/paddock-cni, which does the same work in its own process.
 * Frames: u32 big-endian length, then the bytes. Request: "K=V\0…" of the CNI_* variables, then
 * stdin. Answer: one byte of exit status, then stdout. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *const variables[] = {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH"};

/* A CNI error object (code 5, I/O) on stdout, exit 1: the runtime reads stdout only. */
static int fail(const char *what, int error) {
    printf("{\"code\":5,\"msg\":\"paddock CNI: %s\",\"details\":\"%s (errno %d); see `paddock cni serve`\"}\n",
           what, strerror(error), error);
    return 1;
}

static int write_all(int fd, const void *data, size_t len) {
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_all(int fd, void *data, size_t len) {
    char *p = data;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int send_frame(int fd, const char *data, size_t len) {
    unsigned char header[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len};
    return write_all(fd, header, 4) == 0 && write_all(fd, data, len) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    (void)argc;
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 32);
    if (n <= 0) return fail("cannot find its own directory", errno);
    self[n] = 0;
    char *slash = strrchr(self, '/');
    *slash = 0;

    char path[4200];
    snprintf(path, sizeof path, "%s/paddock.sock", self);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    /* sun_path is 108 bytes; a longer socket path is reached through the symlink's directory. */
    if (fd < 0 || strlen(path) >= sizeof address.sun_path) goto fallback;
    strcpy(address.sun_path, path);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) goto fallback;

    char environment[16384];
    size_t used = 0;
    for (size_t i = 0; i < sizeof variables / sizeof *variables; i++) {
        const char *value = getenv(variables[i]);
        if (!value) continue;
        int wrote = snprintf(environment + used, sizeof environment - used, "%s=%s", variables[i], value);
        if (wrote < 0 || (size_t)wrote + 1 > sizeof environment - used) return fail("CNI variables too long", E2BIG);
        used += (size_t)wrote + 1;
    }
    size_t capacity = 65536, length = 0;
    char *input = malloc(capacity);
    for (;;) {
        if (length == capacity) input = realloc(input, capacity *= 2);
        if (!input) return fail("out of memory", ENOMEM);
        ssize_t got = read(0, input + length, capacity - length);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return fail("cannot read stdin", errno);
        if (got == 0) break;
        length += (size_t)got;
    }
    if (send_frame(fd, environment, used) != 0 || send_frame(fd, input, length) != 0) {
        return fail("cannot send to paddock cni serve", errno);
    }
    unsigned char header[4];
    if (read_all(fd, header, 4) != 0) return fail("paddock cni serve closed the connection", errno ? errno : EPIPE);
    size_t answer = (size_t)header[0] << 24 | (size_t)header[1] << 16 | (size_t)header[2] << 8 | header[3];
    char *reply = malloc(answer ? answer : 1);
    if (!reply || answer < 1 || read_all(fd, reply, answer) != 0) return fail("paddock cni serve sent a short answer", EPROTO);
    if (write_all(1, reply + 1, answer - 1) != 0) return 1;
    return (unsigned char)reply[0];

fallback:
    if (fd >= 0) close(fd);
    snprintf(path, sizeof path, "%s/paddock-cni", self);
    argv[0] = path;
    execv(path, argv);
    return fail("cannot run paddock-cni beside this binary", errno);
}
