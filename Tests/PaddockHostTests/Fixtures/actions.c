/*
 * recorder — a test plugin with extension actions of every signature letter, compiled by the
 * tests with the system cc against the header only.
 *
 * Every function appends one line to the marker file named by the enable config's "log" ("create"
 * from create, the action's name from an action), so a test can prove that a refused call never
 * entered the plugin. Every action answers exactly what it received, in forms that lose nothing:
 * integers as decimal strings, doubles as their IEEE-754 bits in hex, strings and buffers as hex
 * bytes with their length, and whether the instance is the one `create` made.
 *
 * -DFIXTURE_BAD_SIGNATURE swaps the manifest for one whose action signature is malformed.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <paddock/plugin.h>

#if defined(FIXTURE_BAD_SIGNATURE)
PADDOCK_MANIFEST("{\"name\":\"badsig\",\"version\":\"1.0\",\"kinds\":[\"storage\"],\"abi\":\"1.0\","
                 "\"description\":\"an action signature with a letter that means nothing\",\"license\":\"MIT\","
                 "\"actions\":[{\"name\":\"shift\",\"symbol\":\"recorder_ints\",\"signature\":\"iq\"}]}");
#else
PADDOCK_MANIFEST(
    "{\"name\":\"recorder\",\"version\":\"1.0\",\"kinds\":[\"storage\"],\"abi\":\"1.0\","
    "\"description\":\"records what its extension actions receive\",\"license\":\"MIT\","
    "\"config_schema\":{\"type\":\"object\",\"properties\":{\"log\":{\"type\":\"string\"}}},"
    "\"actions\":["
    "{\"name\":\"ints\",\"symbol\":\"recorder_ints\",\"signature\":\"ii\",\"arguments\":[\"A\",\"B\"],\"description\":\"two integers\"},"
    "{\"name\":\"floats\",\"symbol\":\"recorder_floats\",\"signature\":\"ff\",\"arguments\":[\"X\",\"Y\"],\"description\":\"two doubles\"},"
    "{\"name\":\"text\",\"symbol\":\"recorder_text\",\"signature\":\"s\",\"arguments\":[\"TEXT\"],\"description\":\"a string\"},"
    "{\"name\":\"blob\",\"symbol\":\"recorder_blob\",\"signature\":\"b\",\"arguments\":[\"DATA\"],\"description\":\"a buffer\"},"
    "{\"name\":\"mixed\",\"symbol\":\"recorder_mixed\",\"signature\":\"fibsfi\",\"description\":\"every letter, interleaved\"},"
    "{\"name\":\"spill\",\"symbol\":\"recorder_spill\",\"signature\":\"iiiiiiifffffffff\",\"description\":\"more arguments than registers\"},"
    "{\"name\":\"fail\",\"symbol\":\"recorder_fail\",\"signature\":\"i\",\"arguments\":[\"STATUS\"],\"description\":\"answers STATUS with an error document\"},"
    "{\"name\":\"silent\",\"symbol\":\"recorder_silent\",\"signature\":\"\",\"description\":\"succeeds with no result\"},"
    "{\"name\":\"ghost\",\"symbol\":\"recorder_not_exported\",\"signature\":\"\",\"description\":\"names a symbol the file lacks\"}]}");
#endif

#define RECORDER_MAGIC 0x5245434fu

typedef struct recorder {
    uint32_t magic;
    char log[4096];
} recorder;

/* ---- output ----------------------------------------------------------------------------------- */

typedef struct text {
    char *data;
    size_t len, cap;
} text;

static void put(text *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->data = realloc(t->data, t->cap);
    }
    vsnprintf(t->data + t->len, t->cap - t->len, fmt, again);
    va_end(again);
    t->len += (size_t)n;
}

static void put_hex(text *t, const void *bytes, size_t len) {
    const unsigned char *p = bytes;
    put(t, "\"");
    for (size_t i = 0; i < len; i++) put(t, "%02x", p[i]);
    put(t, "\"");
}

static void put_double(text *t, double value) {
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    put(t, "\"%016" PRIx64 "\"", bits);
}

static void put_instance(text *t, void *inst) {
    recorder *r = inst;
    put(t, "\"instance_ok\":%s", r && r->magic == RECORDER_MAGIC ? "true" : "false");
}

static paddock_status finish(text *t, paddock_buffer *result) {
    result->data = t->data;
    result->len = t->len;
    return PADDOCK_OK;
}

static void mark(const char *path, const char *what) {
    if (!path || !path[0]) return;
    FILE *f = fopen(path, "a");
    if (!f) return;
    fprintf(f, "%s\n", what);
    fclose(f);
}

static void entered(void *inst, const char *action) {
    recorder *r = inst;
    if (r) mark(r->log, action);
}

/* ---- actions ---------------------------------------------------------------------------------- */

PADDOCK_EXPORT paddock_status recorder_ints(void *inst, int64_t a, int64_t b, paddock_buffer *result) {
    entered(inst, "ints");
    text t = {0};
    put(&t, "{");
    put_instance(&t, inst);
    put(&t, ",\"a\":\"%" PRId64 "\",\"b\":\"%" PRId64 "\"}", a, b);
    return finish(&t, result);
}

PADDOCK_EXPORT paddock_status recorder_floats(void *inst, double x, double y, paddock_buffer *result) {
    entered(inst, "floats");
    text t = {0};
    put(&t, "{");
    put_instance(&t, inst);
    put(&t, ",\"x\":");
    put_double(&t, x);
    put(&t, ",\"y\":");
    put_double(&t, y);
    put(&t, "}");
    return finish(&t, result);
}

PADDOCK_EXPORT paddock_status recorder_text(void *inst, const char *s, paddock_buffer *result) {
    entered(inst, "text");
    text t = {0};
    put(&t, "{");
    put_instance(&t, inst);
    put(&t, ",\"len\":%zu,\"hex\":", s ? strlen(s) : 0);
    put_hex(&t, s ? s : "", s ? strlen(s) : 0);
    put(&t, "}");
    return finish(&t, result);
}

PADDOCK_EXPORT paddock_status recorder_blob(void *inst, const void *data, size_t len, paddock_buffer *result) {
    entered(inst, "blob");
    text t = {0};
    put(&t, "{");
    put_instance(&t, inst);
    put(&t, ",\"null\":%s,\"len\":%zu,\"hex\":", data ? "false" : "true", len);
    put_hex(&t, data, data ? len : 0);
    put(&t, "}");
    return finish(&t, result);
}

PADDOCK_EXPORT paddock_status recorder_mixed(void *inst, double f1, int64_t i1, const void *data, size_t len,
                                             const char *s, double f2, int64_t i2, paddock_buffer *result) {
    entered(inst, "mixed");
    text t = {0};
    put(&t, "{");
    put_instance(&t, inst);
    put(&t, ",\"f1\":");
    put_double(&t, f1);
    put(&t, ",\"i1\":\"%" PRId64 "\",\"len\":%zu,\"data\":", i1, len);
    put_hex(&t, data, len);
    put(&t, ",\"s\":");
    put_hex(&t, s, strlen(s));
    put(&t, ",\"f2\":");
    put_double(&t, f2);
    put(&t, ",\"i2\":\"%" PRId64 "\"}", i2);
    return finish(&t, result);
}

PADDOCK_EXPORT paddock_status recorder_spill(void *inst, int64_t i1, int64_t i2, int64_t i3, int64_t i4, int64_t i5,
                                             int64_t i6, int64_t i7, double f1, double f2, double f3, double f4,
                                             double f5, double f6, double f7, double f8, double f9,
                                             paddock_buffer *result) {
    entered(inst, "spill");
    int64_t ints[] = {i1, i2, i3, i4, i5, i6, i7};
    double floats[] = {f1, f2, f3, f4, f5, f6, f7, f8, f9};
    text t = {0};
    put(&t, "{");
    put_instance(&t, inst);
    put(&t, ",\"ints\":[");
    for (int i = 0; i < 7; i++) put(&t, "%s\"%" PRId64 "\"", i ? "," : "", ints[i]);
    put(&t, "],\"floats\":[");
    for (int i = 0; i < 9; i++) {
        if (i) put(&t, ",");
        put_double(&t, floats[i]);
    }
    put(&t, "]}");
    return finish(&t, result);
}

PADDOCK_EXPORT paddock_status recorder_fail(void *inst, int64_t status, paddock_buffer *result) {
    entered(inst, "fail");
    text t = {0};
    put(&t, "{\"code\":%" PRId64 ",\"msg\":\"asked to fail\",\"details\":\"recorder_fail(%" PRId64 ")\"}", status, status);
    finish(&t, result);
    return (paddock_status)status;
}

PADDOCK_EXPORT paddock_status recorder_silent(void *inst, paddock_buffer *result) {
    (void)result;
    entered(inst, "silent");
    return PADDOCK_OK;
}

/* ---- the plugin ------------------------------------------------------------------------------- */

static void rec_free(char *data, size_t len) {
    (void)len;
    free(data);
}

/* Enough JSON for {"log": "<path without escapes>"}. */
static void config_log(const char *config, size_t len, char *out, size_t cap) {
    out[0] = 0;
    char *copy = calloc(1, len + 1);
    if (!copy) return;
    if (config) memcpy(copy, config, len);
    char *key = strstr(copy, "\"log\"");
    if (key) {
        char *start = strchr(key + 5, '"');
        char *end = start ? strchr(start + 1, '"') : NULL;
        if (start && end && (size_t)(end - start - 1) < cap) {
            memcpy(out, start + 1, (size_t)(end - start - 1));
            out[end - start - 1] = 0;
        }
    }
    free(copy);
}

static paddock_status rec_create(const paddock_host *host, const char *config, size_t len, void **instance,
                                 paddock_buffer *error) {
    (void)host;
    (void)error;
    recorder *r = calloc(1, sizeof *r);
    if (!r) return PADDOCK_E_INTERNAL;
    r->magic = RECORDER_MAGIC;
    config_log(config, len, r->log, sizeof r->log);
    mark(r->log, "create");
    *instance = r;
    return PADDOCK_OK;
}

static void rec_destroy(void *instance) { free(instance); }

static paddock_status rec_list(void *instance, const char *req, size_t len, paddock_buffer *out) {
    (void)instance;
    (void)req;
    (void)len;
    text t = {0};
    put(&t, "{\"volumes\":[]}");
    return finish(&t, out);
}

static const paddock_storage_ops storage_ops = {
    .struct_size = sizeof(paddock_storage_ops),
    .version = PADDOCK_STORAGE_VERSION,
    .list = rec_list,
};

static const paddock_plugin plugin = {
    .struct_size = sizeof(paddock_plugin),
    .version = PADDOCK_PLUGIN_VERSION,
#if defined(FIXTURE_BAD_SIGNATURE)
    .name = "badsig",
#else
    .name = "recorder",
#endif
    .plugin_version = "1.0",
    .kinds = PADDOCK_KIND_STORAGE,
    .create = rec_create,
    .destroy = rec_destroy,
    .free_buffer = rec_free,
    .storage = &storage_ops,
};

PADDOCK_EXPORT paddock_status paddock_plugin_entry(paddock_negotiation *n) {
    if (PADDOCK_VERSION_MAJOR(n->host_min_abi) > 1 || PADDOCK_VERSION_MAJOR(n->host_max_abi) < 1) {
        snprintf(n->reason, sizeof n->reason, "recorder speaks ABI 1.x only");
        return PADDOCK_E_INCOMPATIBLE_VERSION;
    }
    n->abi = PADDOCK_ABI_VERSION_CURRENT;
    n->plugin = &plugin;
    return PADDOCK_OK;
}
