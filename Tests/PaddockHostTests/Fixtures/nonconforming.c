/*
 * A small network driver for the conformance kit's tests, compiled with the system cc against the
 * header only. Built plain it keeps every rule the kit checks; each -DFIXTURE_<NAME> breaks exactly
 * one, so a test can require that the kit fails that check and no other:
 *
 *   CRASH_ON_EMPTY            check faults on an empty payload
 *   HANG_ON_TRUNCATED         check never returns when given truncated JSON
 *   ERROR_WITHOUT_DOCUMENT    gc refuses a bad payload with a status but no error document
 *   MALFORMED_DOCUMENT        version refuses a bad payload with {"code":"6","msg":""}
 *   DEL_NOT_IDEMPOTENT        del of an attachment that is already gone fails
 *   FALSE_THREAD_SAFETY       claims thread safety; version races on an unsynchronized counter
 *   ACCEPTS_ANY_ABI           the entry function accepts whatever range the host offers
 *   WRONG_VERSION             the table's plugin_version differs from the manifest's
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <paddock/plugin.h>

#ifndef FIXTURE_NAME
#define FIXTURE_NAME "nonconforming"
#endif

#if defined(FIXTURE_FALSE_THREAD_SAFETY)
#define FX_THREAD_SAFE "true"
#define FX_FLAGS PADDOCK_PLUGIN_THREAD_SAFE
#else
#define FX_THREAD_SAFE "false"
#define FX_FLAGS 0
#endif

PADDOCK_MANIFEST("{\"name\":\"" FIXTURE_NAME "\",\"version\":\"1.0.0\",\"kinds\":[\"network\"],\"abi\":\"1.0\","
                 "\"description\":\"conformance kit test fixture\",\"license\":\"MIT\","
                 "\"thread_safe\":" FX_THREAD_SAFE "}");

static void fx_free(char *data, size_t len) {
    (void)len;
    free(data);
}

static paddock_status respond(paddock_buffer *out, const char *text) {
    size_t n = strlen(text);
    out->data = malloc(n + 1);
    memcpy(out->data, text, n + 1);
    out->len = n;
    return PADDOCK_OK;
}

static paddock_status fail(paddock_buffer *out, paddock_status code, const char *msg) {
    char text[256];
    snprintf(text, sizeof text, "{\"code\":%d,\"msg\":\"%s\",\"details\":\"\"}", code, msg);
    respond(out, text);
    return code;
}

/* The shape of one JSON object, which is as far as this fixture parses. Empty means {}. */
static int is_object(const char *req, size_t len) {
    if (len == 0) return 1;
    size_t a = 0, b = len;
    while (a < b && isspace((unsigned char)req[a])) a++;
    while (b > a && isspace((unsigned char)req[b - 1])) b--;
    return b - a >= 2 && req[a] == '{' && req[b - 1] == '}';
}

static int attached;

static paddock_status op_add(void *inst, const char *req, size_t len, paddock_buffer *out) {
    (void)inst;
    if (!is_object(req, len)) return fail(out, PADDOCK_E_DECODE, "the request is not a JSON object");
    attached = 1;
    return respond(out, "{\"cniVersion\":\"1.1.0\",\"ips\":[],\"routes\":[],\"dns\":{}}");
}

static paddock_status op_del(void *inst, const char *req, size_t len, paddock_buffer *out) {
    (void)inst;
    if (!is_object(req, len)) return fail(out, PADDOCK_E_DECODE, "the request is not a JSON object");
#if defined(FIXTURE_DEL_NOT_IDEMPOTENT)
    if (!attached) return fail(out, PADDOCK_E_UNKNOWN_CONTAINER, "no such attachment");
#endif
    attached = 0;
    return respond(out, "{}");
}

static paddock_status op_check(void *inst, const char *req, size_t len, paddock_buffer *out) {
    (void)inst;
#if defined(FIXTURE_CRASH_ON_EMPTY)
    if (len == 0) {
        volatile int *volatile nowhere = NULL;
        *nowhere = 1;
    }
#elif defined(FIXTURE_HANG_ON_TRUNCATED)
    if (len > 0 && req[0] == '{' && !is_object(req, len)) for (;;) pause();
#endif
    if (!is_object(req, len)) return fail(out, PADDOCK_E_DECODE, "the request is not a JSON object");
    return respond(out, "{}");
}

static paddock_status op_status(void *inst, const char *req, size_t len, paddock_buffer *out) {
    (void)inst;
    if (!is_object(req, len)) return fail(out, PADDOCK_E_DECODE, "the request is not a JSON object");
    return respond(out, "{}");
}

static paddock_status op_gc(void *inst, const char *req, size_t len, paddock_buffer *out) {
    (void)inst;
    if (!is_object(req, len)) {
#if defined(FIXTURE_ERROR_WITHOUT_DOCUMENT)
        return PADDOCK_E_DECODE;
#else
        return fail(out, PADDOCK_E_DECODE, "the request is not a JSON object");
#endif
    }
    return respond(out, "{\"released\":[]}");
}

#if defined(FIXTURE_FALSE_THREAD_SAFETY)
static volatile int counter; /* deliberately unsynchronized */
#endif

static paddock_status op_version(void *inst, const char *req, size_t len, paddock_buffer *out) {
    (void)inst;
#if defined(FIXTURE_FALSE_THREAD_SAFETY)
    int mine = ++counter;
    usleep(200);
    if (counter != mine) return fail(out, PADDOCK_E_INTERNAL, "another call changed the counter meanwhile");
#endif
    if (!is_object(req, len)) {
#if defined(FIXTURE_MALFORMED_DOCUMENT)
        respond(out, "{\"code\":\"6\",\"msg\":\"\"}");
        return PADDOCK_E_DECODE;
#else
        return fail(out, PADDOCK_E_DECODE, "the request is not a JSON object");
#endif
    }
    return respond(out, "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"1.0.0\",\"1.1.0\"]}");
}

static const paddock_network_ops network = {
    .struct_size = sizeof(paddock_network_ops),
    .version = PADDOCK_NETWORK_VERSION,
    .add = op_add,
    .del = op_del,
    .check = op_check,
    .status = op_status,
    .gc = op_gc,
    .cni_version = op_version,
};

static paddock_status fx_create(const paddock_host *host, const char *config, size_t len, void **instance,
                                paddock_buffer *error) {
    (void)host; (void)config; (void)len; (void)error;
    *instance = NULL;
    return PADDOCK_OK;
}

static void fx_destroy(void *instance) { (void)instance; }

static const paddock_plugin table = {
    .struct_size = sizeof(paddock_plugin),
    .version = PADDOCK_PLUGIN_VERSION,
    .name = FIXTURE_NAME,
#if defined(FIXTURE_WRONG_VERSION)
    .plugin_version = "9.9.9",
#else
    .plugin_version = "1.0.0",
#endif
    .kinds = PADDOCK_KIND_NETWORK,
    .flags = FX_FLAGS,
    .create = fx_create,
    .destroy = fx_destroy,
    .free_buffer = fx_free,
    .network = &network,
};

PADDOCK_EXPORT paddock_status paddock_plugin_entry(paddock_negotiation *n) {
#if !defined(FIXTURE_ACCEPTS_ANY_ABI)
    if (PADDOCK_VERSION_MAJOR(n->host_min_abi) > 1 || PADDOCK_VERSION_MAJOR(n->host_max_abi) < 1) {
        snprintf(n->reason, sizeof n->reason, FIXTURE_NAME " speaks ABI 1.x only");
        return PADDOCK_E_INCOMPATIBLE_VERSION;
    }
#endif
    n->abi = PADDOCK_ABI_VERSION_CURRENT;
    n->plugin = &table;
    return PADDOCK_OK;
}
