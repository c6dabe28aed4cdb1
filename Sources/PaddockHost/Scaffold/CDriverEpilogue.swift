/// The end of every generated C driver: create, destroy, the plugin table, the entry function.
enum CDriverEpilogue {
    static let text = #"""

/* ---- lifecycle -------------------------------------------------------------------------------- */

static paddock_status driver_create(const paddock_host *host, const char *config, size_t config_len,
                                    void **instance, paddock_buffer *error) {
    /* Read only members the host's table has (docs/abi.md §3): the store is there since 1.0. */
    if (!host || host->struct_size < offsetof(paddock_host, free_buffer) + sizeof(void *) || !host->kv_get ||
        !host->kv_put || !host->kv_delete || !host->kv_list || !host->free_buffer)
        return fail(error, PADDOCK_E_INCOMPATIBLE_VERSION, "the host offers no key-value store",
                    "run it under a Paddock host that speaks ABI 1.0 or later");
    request cfg = {0};
    paddock_status st = read_request(config, config_len, &cfg, error);
    if (st != PADDOCK_OK) return st;
    /* The config was validated against the manifest's config_schema; read your settings here. */
    driver *d = calloc(1, sizeof *d);
    if (!d) return fail(error, PADDOCK_E_INTERNAL, "out of memory", "");
    d->host = host;
    *instance = d;
    return PADDOCK_OK;
}

static void driver_destroy(void *instance) { free(instance); }

static const paddock_plugin plugin = {
    .struct_size = sizeof(paddock_plugin),
    .version = PADDOCK_PLUGIN_VERSION,
    .name = "{{NAME}}",
    .plugin_version = "0.1.0",
    .kinds = PADDOCK_KIND_{{KIND_UPPER}},
    .flags = 0, /* not thread-safe: the host serializes calls */
    .create = driver_create,
    .destroy = driver_destroy,
    .free_buffer = driver_free,
    .{{KIND}} = &kind_ops,
};

PADDOCK_EXPORT paddock_status paddock_plugin_entry(paddock_negotiation *n) {
    if (!n || n->struct_size < offsetof(paddock_negotiation, reason) + PADDOCK_REASON_MAX) return PADDOCK_E_INVALID_ENV;
    /* Built against ABI 1.0: any host range that includes it will do; refuse the rest, saying why. */
    if (n->host_min_abi > PADDOCK_ABI_VERSION_CURRENT || PADDOCK_VERSION_MAJOR(n->host_max_abi) < 1) {
        snprintf(n->reason, sizeof n->reason, "{{NAME}} speaks ABI 1.0; the host offers %u.%u-%u.%u",
                 (unsigned)PADDOCK_VERSION_MAJOR(n->host_min_abi), (unsigned)PADDOCK_VERSION_MINOR(n->host_min_abi),
                 (unsigned)PADDOCK_VERSION_MAJOR(n->host_max_abi), (unsigned)PADDOCK_VERSION_MINOR(n->host_max_abi));
        return PADDOCK_E_INCOMPATIBLE_VERSION;
    }
    n->abi = n->host_max_abi < PADDOCK_ABI_VERSION_CURRENT ? n->host_max_abi : PADDOCK_ABI_VERSION_CURRENT;
    n->plugin = &plugin;
    return PADDOCK_OK;
}
"""#
}
