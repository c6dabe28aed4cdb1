/*
 * notifier — a test network plugin that answers notify by asking the host's metadata service for
 * the hosts and appending one line per notification to the file named by the enable config's
 * "log": the event it received, a tab, and the hosts answer. The agent tests read that file to see
 * that a change in etcd reached a driver through notify and the metadata service.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <paddock/plugin.h>

PADDOCK_MANIFEST("{\"name\":\"notifier\",\"version\":\"1.0\",\"kinds\":[\"network\"],\"abi\":\"1.0\","
                 "\"description\":\"records the notifications it gets and the hosts it then sees\",\"license\":\"MIT\","
                 "\"config_schema\":{\"type\":\"object\",\"properties\":{\"log\":{\"type\":\"string\"}}}}");

typedef struct notifier {
    const paddock_host *host;
    char log[4096];
} notifier;

static void nf_free(char *data, size_t len) {
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

static paddock_status nf_create(const paddock_host *host, const char *config, size_t len, void **instance,
                                paddock_buffer *error) {
    (void)error;
    notifier *n = calloc(1, sizeof *n);
    if (!n) return PADDOCK_E_INTERNAL;
    n->host = host;
    config_log(config, len, n->log, sizeof n->log);
    *instance = n;
    return PADDOCK_OK;
}

static void nf_destroy(void *instance) { free(instance); }

static paddock_status nf_notify(void *instance, const char *req, size_t len, paddock_buffer *out) {
    (void)out;
    notifier *n = instance;
    static const char query[] = "{\"type\":\"hosts\"}";
    paddock_buffer answer = {0};
    paddock_status status = n->host->metadata_query(n->host->ctx, query, sizeof query - 1, &answer);
    FILE *f = fopen(n->log, "a");
    if (f) {
        fwrite(req, 1, len, f);
        fputc('\t', f);
        if (status == PADDOCK_OK) fwrite(answer.data, 1, answer.len, f);
        else fprintf(f, "{\"metadata_error\":%d}", (int)status);
        fputc('\n', f);
        fclose(f);
    }
    if (answer.data) n->host->free_buffer(n->host->ctx, answer.data, answer.len);
    return PADDOCK_OK;
}

/* network.status answers {"hosts": <the metadata service's hosts answer>}, so a test can see which
 * store a plugin's metadata comes from (also in an out-of-process worker). */
static paddock_status nf_status(void *instance, const char *req, size_t len, paddock_buffer *out) {
    (void)req;
    (void)len;
    notifier *n = instance;
    static const char query[] = "{\"type\":\"hosts\"}";
    paddock_buffer answer = {0};
    paddock_status status = n->host->metadata_query(n->host->ctx, query, sizeof query - 1, &answer);
    if (status != PADDOCK_OK) {
        if (answer.data) n->host->free_buffer(n->host->ctx, answer.data, answer.len);
        return status;
    }
    size_t size = answer.len + 12;
    char *text = malloc(size);
    if (!text) return PADDOCK_E_INTERNAL;
    int written = snprintf(text, size, "{\"hosts\":%.*s}", (int)answer.len, answer.data);
    n->host->free_buffer(n->host->ctx, answer.data, answer.len);
    out->data = text;
    out->len = (size_t)written;
    return PADDOCK_OK;
}

static const paddock_network_ops network_ops = {
    .struct_size = sizeof(paddock_network_ops),
    .version = PADDOCK_NETWORK_VERSION,
    .status = nf_status,
};

static const paddock_plugin plugin = {
    .struct_size = sizeof(paddock_plugin),
    .version = PADDOCK_PLUGIN_VERSION,
    .name = "notifier",
    .plugin_version = "1.0",
    .kinds = PADDOCK_KIND_NETWORK,
    .create = nf_create,
    .destroy = nf_destroy,
    .free_buffer = nf_free,
    .network = &network_ops,
    .notify = nf_notify,
};

PADDOCK_EXPORT paddock_status paddock_plugin_entry(paddock_negotiation *n) {
    if (PADDOCK_VERSION_MAJOR(n->host_min_abi) > 1 || PADDOCK_VERSION_MAJOR(n->host_max_abi) < 1) {
        snprintf(n->reason, sizeof n->reason, "notifier speaks ABI 1.x only");
        return PADDOCK_E_INCOMPATIBLE_VERSION;
    }
    n->abi = PADDOCK_ABI_VERSION_CURRENT;
    n->plugin = &plugin;
    return PADDOCK_OK;
}
