/// The network operations of a generated C driver (CNI semantics, attachments in the store).
enum CNetworkOperations {
    static let text = #"""

/* ---- network: CNI semantics --------------------------------------------------------------------
 * An attachment is "attachment/<containerId>/<ifName>" -> the CNI result add returned. This starting
 * point creates no links and leases no addresses: put that work in add, and undo it in del. */

typedef struct attachment {
    char container[160];
    char interface[32];
    char key[256];
} attachment;

/* containerId and ifName (default eth0) of a CNI request. */
static paddock_status read_attachment(const request *req, attachment *a, paddock_buffer *out) {
    paddock_status st = name_member(req, "containerId", a->container, sizeof a->container, out);
    if (st != PADDOCK_OK) return st;
    const char *raw;
    size_t raw_len;
    if (!mj_member(req->text, req->len, "ifName", &raw, &raw_len)) {
        snprintf(a->interface, sizeof a->interface, "eth0");
    } else if (mj_string(raw, raw_len, a->interface, 16) != 0 || !valid_name(a->interface)) {
        return fail(out, PADDOCK_E_INVALID_CONFIG, "\"ifName\" must be an interface name of 1-15 characters", "");
    }
    make_key(a->key, sizeof a->key, "attachment", a->container, a->interface);
    return PADDOCK_OK;
}

static paddock_status op_add(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    attachment a;
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = read_attachment(&req, &a, out);
    if (st != PADDOCK_OK) return st;
    /* ADD of an existing attachment answers what the first ADD did. */
    char *stored;
    size_t stored_len;
    st = store_get(d, a.key, &stored, &stored_len);
    if (st == PADDOCK_OK) {
        mj_buffer body = {0};
        mj_append(&body, stored, stored_len);
        free(stored);
        return answer(out, &body);
    }
    if (st != PADDOCK_E_NOT_FOUND) return store_failed(out, st, a.key);
    const char *config, *netns;
    size_t config_len, netns_len;
    char cni_version[32] = "1.1.0", namespace_path[1024] = "";
    st = json_member(&req, "config", MJ_OBJECT, "{}", &config, &config_len, out);
    if (st != PADDOCK_OK) return st;
    const char *raw;
    size_t raw_len;
    if (mj_member(config, config_len, "cniVersion", &raw, &raw_len) && mj_string(raw, raw_len, cni_version, sizeof cni_version) != 0)
        return fail(out, PADDOCK_E_INVALID_CONFIG, "config.cniVersion must be a short string", "");
    if (mj_member(req.text, req.len, "netns", &netns, &netns_len) &&
        mj_string(netns, netns_len, namespace_path, sizeof namespace_path) != 0)
        return fail(out, PADDOCK_E_INVALID_CONFIG, "\"netns\" must be a path", "");
    mj_buffer result = {0};
    mj_append_text(&result, "{\"cniVersion\":");
    mj_append_string(&result, cni_version);
    mj_append_text(&result, ",\"interfaces\":[{\"name\":");
    mj_append_string(&result, a.interface);
    mj_append_text(&result, ",\"sandbox\":");
    mj_append_string(&result, namespace_path);
    mj_append_text(&result, "}],\"ips\":[],\"routes\":[],\"dns\":{}}");
    if (result.failed) return answer(out, &result);
    st = store_put(d, a.key, result.data, result.len);
    if (st != PADDOCK_OK) {
        free(result.data);
        return store_failed(out, st, a.key);
    }
    say(d, PADDOCK_LOG_DEBUG, "attached");
    return answer(out, &result);
}

/* CNI: DEL must succeed when the attachment (or the netns, or the link) is already gone. */
static paddock_status op_del(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    attachment a;
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = read_attachment(&req, &a, out);
    if (st != PADDOCK_OK) return st;
    st = store_delete(d, a.key);
    if (st != PADDOCK_OK) return store_failed(out, st, a.key);
    return answer_text(out, "{}");
}

static paddock_status op_check(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    attachment a;
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = read_attachment(&req, &a, out);
    if (st != PADDOCK_OK) return st;
    char *stored;
    size_t stored_len;
    st = store_get(d, a.key, &stored, &stored_len);
    if (st == PADDOCK_E_NOT_FOUND) return fail(out, PADDOCK_E_UNKNOWN_CONTAINER, "no such attachment", a.key);
    if (st != PADDOCK_OK) return store_failed(out, st, a.key);
    free(stored);
    return answer_text(out, "{}");
}

static paddock_status op_status(void *instance, const char *text, size_t len, paddock_buffer *out) {
    (void)instance;
    request req = {0};
    paddock_status st = read_request(text, len, &req, out);
    if (st != PADDOCK_OK) return st;
    /* Ready to serve. Answer PADDOCK_E_UNAVAILABLE (50) while something the driver needs is missing. */
    return answer_text(out, "{}");
}

/* Is "<containerId>/<ifName>" in config["cni.dev/valid-attachments"]? */
static int is_valid_attachment(const char *valid, size_t valid_len, const char *container, const char *interface) {
    size_t position = 0;
    const char *item;
    size_t item_len;
    while (mj_next_element(valid, valid_len, &position, &item, &item_len)) {
        const char *raw;
        size_t raw_len;
        char id[160], name[32];
        if (mj_member(item, item_len, "containerID", &raw, &raw_len) && mj_string(raw, raw_len, id, sizeof id) == 0 &&
            mj_member(item, item_len, "ifname", &raw, &raw_len) && mj_string(raw, raw_len, name, sizeof name) == 0 &&
            strcmp(id, container) == 0 && strcmp(name, interface) == 0)
            return 1;
    }
    return 0;
}

/* Releases every attachment not in config["cni.dev/valid-attachments"]. */
static paddock_status op_gc(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    const char *config, *valid;
    size_t config_len, valid_len;
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = json_member(&req, "config", MJ_OBJECT, "{}", &config, &config_len, out);
    if (st != PADDOCK_OK) return st;
    request cfg = {config, config_len};
    st = json_member(&cfg, "cni.dev/valid-attachments", MJ_ARRAY, "[]", &valid, &valid_len, out);
    if (st != PADDOCK_OK) return st;
    char *keys;
    size_t keys_len;
    st = store_keys(d, "attachment/", &keys, &keys_len);
    if (st != PADDOCK_OK) return store_failed(out, st, "attachment/");
    mj_buffer released = {0};
    mj_append_text(&released, "{\"released\":[");
    size_t position = 0, count = 0;
    const char *item;
    size_t item_len;
    while (mj_next_element(keys, keys_len, &position, &item, &item_len)) {
        char key[256], container[160], interface[32];
        if (mj_string(item, item_len, key, sizeof key) != 0) continue;
        if (sscanf(key, "attachment/%159[^/]/%31s", container, interface) != 2) continue;
        if (is_valid_attachment(valid, valid_len, container, interface)) continue;
        st = store_delete(d, key);
        if (st != PADDOCK_OK) {
            free(keys);
            free(released.data);
            return store_failed(out, st, key);
        }
        if (count++) mj_append_text(&released, ",");
        mj_append_string(&released, key + strlen("attachment/"));
    }
    free(keys);
    mj_append_text(&released, "]}");
    return answer(out, &released);
}

static paddock_status op_version(void *instance, const char *text, size_t len, paddock_buffer *out) {
    (void)instance;
    request req = {0};
    paddock_status st = read_request(text, len, &req, out);
    if (st != PADDOCK_OK) return st;
    return answer_text(out, "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\",\"1.1.0\"]}");
}

static const paddock_network_ops kind_ops = {
    .struct_size = sizeof(paddock_network_ops),
    .version = PADDOCK_NETWORK_VERSION,
    .add = op_add,
    .del = op_del,
    .check = op_check,
    .status = op_status,
    .gc = op_gc,
    .cni_version = op_version,
};
"""#
}
