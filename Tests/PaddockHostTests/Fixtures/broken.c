/*
 * Broken plugins, one per -DFIXTURE_<NAME>, compiled by the tests with the system cc against the
 * header only. Each one breaks exactly one rule of the contract; the host must survive each and
 * say which file and why.
 */
#define _GNU_SOURCE /* memmem */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <paddock/plugin.h>

#ifndef FIXTURE_NAME
#define FIXTURE_NAME "broken"
#endif

#if defined(FIXTURE_NO_MANIFEST)
/* no PADDOCK_MANIFEST at all */
#elif defined(FIXTURE_BAD_JSON)
PADDOCK_MANIFEST("{\"name\": \"badjson\", this is not json");
#elif defined(FIXTURE_WRONG_ABI)
PADDOCK_MANIFEST("{\"name\":\"wrongabi\",\"version\":\"1\",\"kinds\":[\"network\"],\"abi\":\"2.0\","
                 "\"description\":\"x\",\"license\":\"MIT\"}");
#elif defined(FIXTURE_DISAGREE)
PADDOCK_MANIFEST("{\"name\":\"disagree\",\"version\":\"1.0\",\"kinds\":[\"lb\"],\"abi\":\"1.0\","
                 "\"description\":\"descriptor says otherwise\",\"license\":\"MIT\"}");
#else
PADDOCK_MANIFEST("{\"name\":\"" FIXTURE_NAME "\",\"version\":\"1.0\",\"kinds\":[\"storage\"],\"abi\":\"1.0\","
                 "\"description\":\"a test fixture\",\"license\":\"MIT\","
                 "\"config_schema\":{\"type\":\"object\",\"properties\":{\"size\":{\"type\":\"integer\",\"minimum\":1}},"
                 "\"required\":[\"size\"],\"additionalProperties\":false}}");
#endif

static void fx_free(char *data, size_t len) {
    (void)len;
    free(data);
}

static paddock_status fx_create(const paddock_host *host, const char *config, size_t len, void **instance,
                                paddock_buffer *error) {
    (void)host; (void)config; (void)len; (void)error;
    *instance = NULL;
    return PADDOCK_OK;
}

static void fx_destroy(void *instance) { (void)instance; }

static paddock_status fx_list(void *instance, const char *req, size_t len, paddock_buffer *out) {
    (void)instance; (void)req; (void)len;
    static const char answer[] = "{\"volumes\":[]}";
    out->data = malloc(sizeof answer);
    memcpy(out->data, answer, sizeof answer);
    out->len = sizeof answer - 1;
    return PADDOCK_OK;
}

/* FIXTURE_GOOD doubles as the concurrency probe: `get` sleeps inside while counting how many
 * threads are inside at once; `path` reports the most it ever saw. */
static volatile int inside, most_inside;

static paddock_status fx_get(void *instance, const char *req, size_t len, paddock_buffer *out) {
    (void)instance; (void)req; (void)len; (void)out;
    int now = __atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST);
    if (now > __atomic_load_n(&most_inside, __ATOMIC_SEQ_CST)) __atomic_store_n(&most_inside, now, __ATOMIC_SEQ_CST);
    usleep(2000);
    __atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
    return PADDOCK_OK;
}

static paddock_status fx_path(void *instance, const char *req, size_t len, paddock_buffer *out) {
    (void)instance; (void)req; (void)len;
    char text[64];
    int n = snprintf(text, sizeof text, "{\"most_inside\":%d}", most_inside);
    out->data = malloc((size_t)n + 1);
    memcpy(out->data, text, (size_t)n + 1);
    out->len = (size_t)n;
    return PADDOCK_OK;
}

/* `remove` misbehaves on demand, for the isolation tests: a request mentioning "crash" faults,
 * one mentioning "hang" never returns. */
static paddock_status fx_remove(void *instance, const char *req, size_t len, paddock_buffer *out) {
    (void)instance; (void)out;
    if (req && memmem(req, len, "crash", 5)) {
        volatile int *volatile nowhere = NULL;
        *nowhere = 1;
    }
    if (req && memmem(req, len, "hang", 4)) for (;;) pause();
    return PADDOCK_OK;
}

static const paddock_storage_ops storage = {
    .struct_size = sizeof(paddock_storage_ops), .version = PADDOCK_STORAGE_VERSION, .list = fx_list,
    .get = fx_get, .path = fx_path, .remove = fx_remove};

__attribute__((unused)) static const paddock_plugin table = {
    .struct_size = sizeof(paddock_plugin),
    .version = PADDOCK_PLUGIN_VERSION,
#if defined(FIXTURE_DISAGREE)
    .name = "something-else",
#else
    .name = FIXTURE_NAME,
#endif
    .plugin_version = "1.0",
    .kinds = PADDOCK_KIND_STORAGE,
    .create = fx_create,
    .destroy = fx_destroy,
    .free_buffer = fx_free,
    .storage = &storage,
};

#if defined(FIXTURE_SEGV_CONSTRUCTOR)
__attribute__((constructor)) static void crash_on_load(void) {
    volatile int *volatile nowhere = NULL; /* volatile pointer: the compiler cannot prove the fault away */
    *nowhere = 1; /* a real fault, as a buggy constructor makes */
}
#elif defined(FIXTURE_EXIT_CONSTRUCTOR)
__attribute__((constructor)) static void exit_on_load(void) { exit(0); }
#elif defined(FIXTURE_HANG_CONSTRUCTOR)
__attribute__((constructor)) static void hang_on_load(void) { for (;;) pause(); }
#endif

#if !defined(FIXTURE_NO_ENTRY)
PADDOCK_EXPORT paddock_status paddock_plugin_entry(paddock_negotiation *n) {
#if defined(FIXTURE_SEGV_ENTRY)
    volatile int *volatile nowhere = NULL; /* volatile pointer: the compiler cannot prove the fault away */
    *nowhere = 1;
#elif defined(FIXTURE_ABORT)
    abort();
#elif defined(FIXTURE_HANG_ENTRY)
    for (;;) { }
#elif defined(FIXTURE_NULL_TABLE)
    (void)n;
    return PADDOCK_OK; /* "success" without a table */
#elif defined(FIXTURE_REFUSE)
    snprintf(n->reason, sizeof n->reason, "needs ABI 7.x, the host offers %u.%u-%u.%u",
             PADDOCK_VERSION_MAJOR(n->host_min_abi), PADDOCK_VERSION_MINOR(n->host_min_abi),
             PADDOCK_VERSION_MAJOR(n->host_max_abi), PADDOCK_VERSION_MINOR(n->host_max_abi));
    return PADDOCK_E_INCOMPATIBLE_VERSION;
#elif defined(FIXTURE_CHOOSE_WRONG_ABI)
    n->abi = PADDOCK_MAKE_VERSION(9, 0);
    n->plugin = &table;
    return PADDOCK_OK;
#endif
    n->abi = PADDOCK_ABI_VERSION_CURRENT;
    n->plugin = &table;
    return PADDOCK_OK;
}
#endif
