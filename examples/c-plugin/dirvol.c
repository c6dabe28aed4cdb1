/*
 * dirvol — an example storage driver in plain C, built against <paddock/plugin.h> only.
 *
 * Volumes are directories under a base directory (config "base", default: the plugin's state
 * directory + "/volumes"). Mounts are reference-counted by mount id in the host's key-value store
 * ("mounts/<volume>" -> JSON array of ids), as the Docker volume protocol requires.
 *
 * Extension action: set_mode NAME MODE (signature "si") chmods a volume's directory; the host calls
 * dirvol_set_mode through libffi for `paddock plugin call dirvol set_mode NAME MODE`.
 *
 * Build:  cc -shared -fPIC -O2 -I<paddock include dir> -o dirvol.so dirvol.c json_min.c
 */
#define _GNU_SOURCE /* vasprintf */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <paddock/plugin.h>

#include "json_min.h"

PADDOCK_MANIFEST(
    "{\"name\":\"dirvol\",\"version\":\"1.0.0\",\"kinds\":[\"storage\"],\"abi\":\"1.0\","
    "\"description\":\"Volumes as directories on the local file system (example C driver)\","
    "\"license\":\"MIT\",\"thread_safe\":false,"
    "\"config_schema\":{\"type\":\"object\",\"additionalProperties\":false,"
    "\"properties\":{\"base\":{\"type\":\"string\",\"pattern\":\"^/\"},"
    "\"mode\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":511}}},"
    "\"actions\":[{\"name\":\"set_mode\",\"symbol\":\"dirvol_set_mode\",\"signature\":\"si\","
    "\"arguments\":[\"NAME\",\"MODE\"],"
    "\"description\":\"Change a volume directory's permission bits (0o000-0o777)\"}]}");

typedef struct dirvol {
    const paddock_host *host;
    char base[4096];
    int mode;
} dirvol;

/* ---- buffers ---------------------------------------------------------------------------------- */

static void dv_free(char *data, size_t len) {
    (void)len;
    free(data);
}

/* printf into a malloc'd response buffer (freed by the host through dv_free). */
static void respond(paddock_buffer *out, const char *fmt, ...) {
    if (!out) return;
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    out->data = text;
    out->len = (size_t)n;
}

static paddock_status fail(paddock_buffer *out, paddock_status code, const char *msg, const char *details) {
    char m[512], d[1024];
    json_escape(msg, m, sizeof m);
    json_escape(details ? details : "", d, sizeof d);
    respond(out, "{\"code\":%d,\"msg\":\"%s\",\"details\":\"%s\"}", code, m, d);
    return code;
}

static void logf_(dirvol *dv, paddock_log_level level, const char *fmt, ...) {
    if (!dv->host || (size_t)dv->host->struct_size < offsetof(paddock_host, log) + sizeof(void *) || !dv->host->log)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0) dv->host->log(dv->host->ctx, level, line, strlen(line));
}

/* ---- names ------------------------------------------------------------------------------------ */

/* A volume name is 1-255 bytes, no '/', not "." or "..". */
static int valid_name(const char *name) {
    size_t len = strlen(name);
    if (len == 0 || len > 255) return 0;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return 0;
    return strchr(name, '/') == NULL;
}

static paddock_status request_name(const char *req, size_t len, char *name, size_t cap, paddock_buffer *out) {
    int r = json_get_string(req, len, "name", name, cap);
    if (r == JSON_MIN_BAD) return fail(out, PADDOCK_E_DECODE, "the request is not a JSON object", NULL);
    if (r == JSON_MIN_ABSENT || r == JSON_MIN_WRONG_TYPE)
        return fail(out, PADDOCK_E_INVALID_CONFIG, "the request needs a string \"name\"", NULL);
    if (r != JSON_MIN_OK || !valid_name(name))
        return fail(out, PADDOCK_E_INVALID_CONFIG, "invalid volume name",
                    "use 1-255 bytes without '/', and not '.' or '..'");
    return PADDOCK_OK;
}

static void volume_path(dirvol *dv, const char *name, char *path, size_t cap) {
    snprintf(path, cap, "%s/%s", dv->base, name);
}

/* ---- mount refcount in the host store ------------------------------------------------------- */

static int mount_count(dirvol *dv, const char *name) {
    char key[300];
    snprintf(key, sizeof key, "mounts/%s", name);
    paddock_buffer value = {0};
    if (dv->host->kv_get(dv->host->ctx, key, strlen(key), &value) != PADDOCK_OK) {
        dv->host->free_buffer(dv->host->ctx, value.data, value.len);
        return 0;
    }
    int count = json_array_count(value.data, value.len);
    dv->host->free_buffer(dv->host->ctx, value.data, value.len);
    return count < 0 ? 0 : count;
}

/* Adds (delta > 0) or removes an id from "mounts/<name>". Returns the new count or -1. */
static int mount_update(dirvol *dv, const char *name, const char *id, int add) {
    char key[300];
    snprintf(key, sizeof key, "mounts/%s", name);
    paddock_buffer value = {0};
    char ids[64][256];
    int count = 0;
    if (dv->host->kv_get(dv->host->ctx, key, strlen(key), &value) == PADDOCK_OK)
        count = json_string_array(value.data, value.len, ids, 64);
    dv->host->free_buffer(dv->host->ctx, value.data, value.len);
    if (count < 0) count = 0;
    int found = -1;
    for (int i = 0; i < count; i++)
        if (strcmp(ids[i], id) == 0) found = i;
    if (add && found < 0 && count < 64) snprintf(ids[count++], 256, "%s", id);
    if (!add && found >= 0) {
        memmove(ids[found], ids[found + 1], (size_t)(count - found - 1) * 256);
        count--;
    }
    if (count == 0) {
        dv->host->kv_delete(dv->host->ctx, key, strlen(key));
        return 0;
    }
    char text[64 * 260 + 4], esc[512];
    size_t at = 0;
    text[at++] = '[';
    for (int i = 0; i < count; i++) {
        json_escape(ids[i], esc, sizeof esc);
        at += (size_t)snprintf(text + at, sizeof text - at, "%s\"%s\"", i ? "," : "", esc);
    }
    text[at++] = ']';
    if (dv->host->kv_put(dv->host->ctx, key, strlen(key), text, at) != PADDOCK_OK) return -1;
    return count;
}

/* ---- operations ------------------------------------------------------------------------------- */

static paddock_status op_create(void *inst, const char *req, size_t len, paddock_buffer *out) {
    dirvol *dv = inst;
    char name[300], path[4400];
    paddock_status st = request_name(req, len, name, sizeof name, out);
    if (st != PADDOCK_OK) return st;
    volume_path(dv, name, path, sizeof path);
    if (mkdir(path, (mode_t)dv->mode) != 0 && errno != EEXIST)
        return fail(out, PADDOCK_E_IO, "mkdir failed", strerror(errno));
    logf_(dv, PADDOCK_LOG_INFO, "created volume %s at %s", name, path);
    respond(out, "{\"name\":\"%s\",\"mountpoint\":\"\"}", name);
    return PADDOCK_OK;
}

static int remove_tree(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) return errno == ENOENT ? 0 : -1;
    struct dirent *entry;
    char child[4400];
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
        snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
        struct stat st;
        if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (remove_tree(child) != 0) { closedir(dir); return -1; }
        } else if (unlink(child) != 0) {
            closedir(dir);
            return -1;
        }
    }
    closedir(dir);
    return rmdir(path);
}

static paddock_status op_remove(void *inst, const char *req, size_t len, paddock_buffer *out) {
    dirvol *dv = inst;
    char name[300], path[4400];
    paddock_status st = request_name(req, len, name, sizeof name, out);
    if (st != PADDOCK_OK) return st;
    if (mount_count(dv, name) > 0)
        return fail(out, PADDOCK_E_BUSY, "the volume is mounted", "unmount every mount id first");
    volume_path(dv, name, path, sizeof path);
    if (remove_tree(path) != 0 && errno != ENOENT) return fail(out, PADDOCK_E_IO, "removing the volume failed", strerror(errno));
    respond(out, "{}");
    return PADDOCK_OK;
}

static paddock_status op_mount(void *inst, const char *req, size_t len, paddock_buffer *out) {
    dirvol *dv = inst;
    char name[300], id[256], path[4400];
    paddock_status st = request_name(req, len, name, sizeof name, out);
    if (st != PADDOCK_OK) return st;
    if (json_get_string(req, len, "id", id, sizeof id) != JSON_MIN_OK)
        return fail(out, PADDOCK_E_INVALID_CONFIG, "mount needs a string \"id\"", NULL);
    volume_path(dv, name, path, sizeof path);
    struct stat s;
    if (stat(path, &s) != 0) return fail(out, PADDOCK_E_UNKNOWN_CONTAINER, "no such volume", name);
    if (mount_update(dv, name, id, 1) < 0) return fail(out, PADDOCK_E_IO, "recording the mount failed", NULL);
    char esc[8800];
    json_escape(path, esc, sizeof esc);
    respond(out, "{\"mountpoint\":\"%s\"}", esc);
    return PADDOCK_OK;
}

static paddock_status op_unmount(void *inst, const char *req, size_t len, paddock_buffer *out) {
    dirvol *dv = inst;
    char name[300], id[256];
    paddock_status st = request_name(req, len, name, sizeof name, out);
    if (st != PADDOCK_OK) return st;
    if (json_get_string(req, len, "id", id, sizeof id) != JSON_MIN_OK)
        return fail(out, PADDOCK_E_INVALID_CONFIG, "unmount needs a string \"id\"", NULL);
    if (mount_update(dv, name, id, 0) < 0) return fail(out, PADDOCK_E_IO, "recording the unmount failed", NULL);
    respond(out, "{}");
    return PADDOCK_OK;
}

static paddock_status op_get(void *inst, const char *req, size_t len, paddock_buffer *out) {
    dirvol *dv = inst;
    char name[300], path[4400], esc[8800];
    paddock_status st = request_name(req, len, name, sizeof name, out);
    if (st != PADDOCK_OK) return st;
    volume_path(dv, name, path, sizeof path);
    struct stat s;
    if (stat(path, &s) != 0) return fail(out, PADDOCK_E_UNKNOWN_CONTAINER, "no such volume", name);
    int mounts = mount_count(dv, name);
    json_escape(path, esc, sizeof esc);
    respond(out, "{\"name\":\"%s\",\"mountpoint\":\"%s\",\"status\":{\"mounts\":%d}}", name, mounts ? esc : "", mounts);
    return PADDOCK_OK;
}

static paddock_status op_path(void *inst, const char *req, size_t len, paddock_buffer *out) {
    dirvol *dv = inst;
    char name[300], path[4400], esc[8800];
    paddock_status st = request_name(req, len, name, sizeof name, out);
    if (st != PADDOCK_OK) return st;
    volume_path(dv, name, path, sizeof path);
    json_escape(path, esc, sizeof esc);
    respond(out, "{\"mountpoint\":\"%s\"}", mount_count(dv, name) ? esc : "");
    return PADDOCK_OK;
}

static paddock_status op_list(void *inst, const char *req, size_t len, paddock_buffer *out) {
    (void)req;
    (void)len;
    dirvol *dv = inst;
    DIR *dir = opendir(dv->base);
    if (!dir) return fail(out, PADDOCK_E_IO, "cannot read the base directory", strerror(errno));
    size_t cap = 4096, at = 0;
    char *text = malloc(cap);
    at += (size_t)snprintf(text, cap, "{\"volumes\":[");
    struct dirent *entry;
    int first = 1;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.') continue;
        char esc[600];
        json_escape(entry->d_name, esc, sizeof esc);
        if (at + strlen(esc) + 32 >= cap) {
            cap *= 2;
            text = realloc(text, cap);
        }
        at += (size_t)snprintf(text + at, cap - at, "%s{\"name\":\"%s\"}", first ? "" : ",", esc);
        first = 0;
    }
    closedir(dir);
    at += (size_t)snprintf(text + at, cap - at, "]}");
    out->data = text;
    out->len = at;
    return PADDOCK_OK;
}

static paddock_status op_capabilities(void *inst, const char *req, size_t len, paddock_buffer *out) {
    (void)inst;
    (void)req;
    (void)len;
    /* "options": the per-volume options it takes (none); the adapters refuse any other by name. */
    respond(out, "{\"scope\":\"local\",\"attach\":false,\"options\":[]}");
    return PADDOCK_OK;
}

static const paddock_storage_ops storage_ops = {
    .struct_size = sizeof(paddock_storage_ops),
    .version = PADDOCK_STORAGE_VERSION,
    .create = op_create,
    .remove = op_remove,
    .attach = NULL, /* nothing to attach: answered "not supported" by the host */
    .detach = NULL,
    .mount = op_mount,
    .unmount = op_unmount,
    .path = op_path,
    .get = op_get,
    .list = op_list,
    .capabilities = op_capabilities,
};

/* ---- extension actions ------------------------------------------------------------------------ */

/*
 * set_mode NAME MODE — manifest signature "si", so the host calls
 *     dirvol_set_mode(instance, "<NAME>", <MODE>, &result)
 * through libffi. The volume must exist; a symlink in its place is refused rather than followed.
 */
PADDOCK_EXPORT paddock_status dirvol_set_mode(void *inst, const char *name, int64_t mode, paddock_buffer *result) {
    dirvol *dv = inst;
    if (!dv) return fail(result, PADDOCK_E_INVALID_ENV, "set_mode was called without an instance", NULL);
    if (!name || !valid_name(name))
        return fail(result, PADDOCK_E_INVALID_CONFIG, "invalid volume name", "use 1-255 bytes without '/', and not '.' or '..'");
    if (mode < 0 || mode > 0777)
        return fail(result, PADDOCK_E_INVALID_CONFIG, "invalid mode", "use permission bits only: 0o000 to 0o777");
    char path[4400];
    volume_path(dv, name, path, sizeof path);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return fail(result, PADDOCK_E_UNKNOWN_CONTAINER, "no such volume", name);
        if (errno == ENOTDIR || errno == ELOOP)
            return fail(result, PADDOCK_E_INVALID_ENV, "the volume is not a directory", "something replaced it; remove and create it again");
        return fail(result, PADDOCK_E_IO, "cannot open the volume", strerror(errno));
    }
    if (fchmod(fd, (mode_t)mode) != 0) {
        int saved = errno;
        close(fd);
        return fail(result, PADDOCK_E_IO, "chmod failed", strerror(saved));
    }
    close(fd);
    char esc[600];
    json_escape(name, esc, sizeof esc);
    logf_(dv, PADDOCK_LOG_INFO, "volume %s mode set to 0%03o", name, (unsigned)mode);
    respond(result, "{\"name\":\"%s\",\"mode\":\"0%03o\"}", esc, (unsigned)mode);
    return PADDOCK_OK;
}

/* ---- lifecycle -------------------------------------------------------------------------------- */

static int make_dirs(const char *path, mode_t mode) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, mode) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    }
    return (mkdir(tmp, mode) != 0 && errno != EEXIST) ? -1 : 0;
}

static paddock_status dv_create(const paddock_host *host, const char *config, size_t len, void **instance,
                                paddock_buffer *error) {
    if (!host || host->struct_size < offsetof(paddock_host, free_buffer) + sizeof(void *) || !host->kv_get ||
        !host->kv_put || !host->kv_delete || !host->free_buffer)
        return fail(error, PADDOCK_E_INCOMPATIBLE_VERSION, "the host lacks the key-value store", NULL);
    dirvol *dv = calloc(1, sizeof *dv);
    if (!dv) return fail(error, PADDOCK_E_INTERNAL, "out of memory", NULL);
    dv->host = host;
    dv->mode = 0755;
    if (json_get_string(config, len, "base", dv->base, sizeof dv->base) != JSON_MIN_OK)
        snprintf(dv->base, sizeof dv->base, "%s/volumes", host->plugin_state_dir ? host->plugin_state_dir : "/tmp/dirvol");
    long mode;
    if (json_get_int(config, len, "mode", &mode) == JSON_MIN_OK) dv->mode = (int)mode;
    if (make_dirs(dv->base, 0755) != 0) {
        paddock_status st = fail(error, PADDOCK_E_IO, "cannot create the base directory", strerror(errno));
        free(dv);
        return st;
    }
    *instance = dv;
    return PADDOCK_OK;
}

static void dv_destroy(void *instance) { free(instance); }

static const paddock_plugin plugin = {
    .struct_size = sizeof(paddock_plugin),
    .version = PADDOCK_PLUGIN_VERSION,
    .name = "dirvol",
    .plugin_version = "1.0.0",
    .kinds = PADDOCK_KIND_STORAGE,
    .flags = 0, /* not thread-safe: the host serializes calls */
    .create = dv_create,
    .destroy = dv_destroy,
    .free_buffer = dv_free,
    .storage = &storage_ops,
};

PADDOCK_EXPORT paddock_status paddock_plugin_entry(paddock_negotiation *n) {
    if (!n || n->struct_size < offsetof(paddock_negotiation, reason)) return PADDOCK_E_INVALID_ENV;
    /* We speak 1.0: accept any host range that includes major 1. */
    if (PADDOCK_VERSION_MAJOR(n->host_min_abi) > 1 || PADDOCK_VERSION_MAJOR(n->host_max_abi) < 1) {
        snprintf(n->reason, sizeof n->reason, "dirvol speaks ABI 1.x only");
        return PADDOCK_E_INCOMPATIBLE_VERSION;
    }
    n->abi = n->host_max_abi < PADDOCK_ABI_VERSION_CURRENT ? n->host_max_abi : PADDOCK_ABI_VERSION_CURRENT;
    n->plugin = &plugin;
    return PADDOCK_OK;
}
