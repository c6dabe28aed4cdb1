/* A driver whose operations do nothing: the cost measured is the contract's own. */
#include <stdlib.h>
#include <paddock/plugin.h>

PADDOCK_MANIFEST("{\"name\":\"noop\",\"version\":\"1\",\"kinds\":[\"storage\"],\"abi\":\"1.0\","
                 "\"description\":\"benchmark no-op\",\"license\":\"MIT\",\"thread_safe\":true}");

static paddock_status nothing(void *i, const char *r, size_t l, paddock_buffer *o) {
    (void)i; (void)r; (void)l; (void)o;
    return PADDOCK_OK;
}
static paddock_status make(const paddock_host *h, const char *c, size_t l, void **i, paddock_buffer *e) {
    (void)h; (void)c; (void)l; (void)e;
    *i = NULL;
    return PADDOCK_OK;
}
static void drop(void *i) { (void)i; }
static void release(char *d, size_t l) { (void)l; free(d); }
static const paddock_storage_ops ops = {.struct_size = sizeof ops, .version = PADDOCK_STORAGE_VERSION, .get = nothing};
static const paddock_plugin table = {
    .struct_size = sizeof table, .version = PADDOCK_PLUGIN_VERSION, .name = "noop", .plugin_version = "1",
    .kinds = PADDOCK_KIND_STORAGE, .flags = PADDOCK_PLUGIN_THREAD_SAFE, .create = make, .destroy = drop,
    .free_buffer = release, .storage = &ops};
PADDOCK_EXPORT paddock_status paddock_plugin_entry(paddock_negotiation *n) {
    n->abi = PADDOCK_ABI_VERSION_CURRENT;
    n->plugin = &table;
    return PADDOCK_OK;
}
