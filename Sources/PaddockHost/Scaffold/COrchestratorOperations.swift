/// The orchestrator operations of a generated C driver (stacks and scales in the store).
enum COrchestratorOperations {
    static let text = #"""

/* ---- orchestrator: stacks of services ----------------------------------------------------------
 * A stack is "stack/<name>" -> {"environment","stack","compose"} as last deployed, and a service's
 * scale "scale/<stack>/<service>" -> N. This starting point starts no containers: do that in
 * deploy and scale (reach the network, storage and lb drivers through the host's call_driver), and
 * stop them in remove. */

static paddock_status op_deploy(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char stack[160], key[256];
    const char *compose, *environment;
    size_t compose_len, environment_len;
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = name_member(&req, "stack", stack, sizeof stack, out);
    if (st == PADDOCK_OK) st = json_member(&req, "compose", MJ_OBJECT, "{}", &compose, &compose_len, out);
    if (st == PADDOCK_OK) st = json_member(&req, "environment", MJ_STRING, "\"\"", &environment, &environment_len, out);
    if (st != PADDOCK_OK) return st;
    mj_buffer model = {0};
    mj_append_text(&model, "{\"environment\":");
    mj_append(&model, environment, environment_len);
    mj_append_text(&model, ",\"stack\":");
    mj_append_string(&model, stack);
    mj_append_text(&model, ",\"compose\":");
    mj_append(&model, compose, compose_len);
    mj_append_text(&model, "}");
    if (model.failed) return answer(out, &model);
    make_key(key, sizeof key, "stack", stack, NULL);
    st = store_put(d, key, model.data, model.len);
    free(model.data);
    if (st != PADDOCK_OK) return store_failed(out, st, key);
    say(d, PADDOCK_LOG_DEBUG, "deployed a stack");
    mj_buffer body = {0};
    mj_append_text(&body, "{\"stack\":");
    mj_append_string(&body, stack);
    mj_append_text(&body, ",\"deployed\":true}");
    return answer(out, &body);
}

/* Forgets `key` and every key under `prefix` (a stack's service scales). */
static paddock_status forget(driver *d, const char *key, const char *prefix, paddock_buffer *out) {
    char *keys;
    size_t keys_len;
    paddock_status st = store_keys(d, prefix, &keys, &keys_len);
    if (st != PADDOCK_OK) return store_failed(out, st, prefix);
    size_t position = 0;
    const char *item;
    size_t item_len;
    while (mj_next_element(keys, keys_len, &position, &item, &item_len)) {
        char scale_key[512];
        if (mj_string(item, item_len, scale_key, sizeof scale_key) != 0) continue;
        st = store_delete(d, scale_key);
        if (st != PADDOCK_OK) {
            free(keys);
            return store_failed(out, st, scale_key);
        }
    }
    free(keys);
    st = store_delete(d, key);
    return st == PADDOCK_OK ? PADDOCK_OK : store_failed(out, st, key);
}

/* Tearing down a stack that does not exist succeeds. */
static paddock_status op_remove(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char stack[160], key[256], prefix[256];
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = name_member(&req, "stack", stack, sizeof stack, out);
    if (st != PADDOCK_OK) return st;
    make_key(key, sizeof key, "stack", stack, NULL);
    make_key(prefix, sizeof prefix, "scale", stack, "");
    st = forget(d, key, prefix, out);
    if (st != PADDOCK_OK) return st;
    return answer_text(out, "{}");
}

/* PADDOCK_OK with `*exists` telling whether the stack was deployed; an error answer otherwise. */
static paddock_status stack_exists(driver *d, const char *stack, int *exists, paddock_buffer *out) {
    char key[256], *stored;
    size_t stored_len;
    make_key(key, sizeof key, "stack", stack, NULL);
    paddock_status st = store_get(d, key, &stored, &stored_len);
    *exists = st == PADDOCK_OK;
    if (st == PADDOCK_OK) free(stored);
    if (st == PADDOCK_OK || st == PADDOCK_E_NOT_FOUND) return PADDOCK_OK;
    return store_failed(out, st, key);
}

static paddock_status op_scale(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char stack[160], service[160], key[512];
    const char *raw;
    size_t raw_len;
    long long scale;
    int exists;
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = name_member(&req, "stack", stack, sizeof stack, out);
    if (st == PADDOCK_OK) st = name_member(&req, "service", service, sizeof service, out);
    if (st != PADDOCK_OK) return st;
    if (!mj_member(req.text, req.len, "scale", &raw, &raw_len) || mj_integer(raw, raw_len, &scale) != 0 || scale < 0 || scale > 10000)
        return fail(out, PADDOCK_E_INVALID_CONFIG, "\"scale\" must be an integer from 0 to 10000", "");
    st = stack_exists(d, stack, &exists, out);
    if (st != PADDOCK_OK) return st;
    if (!exists) return fail(out, PADDOCK_E_UNKNOWN_CONTAINER, "no such stack", stack);
    char value[32];
    int value_len = snprintf(value, sizeof value, "%lld", scale);
    make_key(key, sizeof key, "scale", stack, service);
    st = store_put(d, key, value, (size_t)value_len);
    if (st != PADDOCK_OK) return store_failed(out, st, key);
    mj_buffer body = {0};
    mj_append_text(&body, "{\"stack\":");
    mj_append_string(&body, stack);
    mj_append_text(&body, ",\"service\":");
    mj_append_string(&body, service);
    mj_append_text(&body, ",\"scale\":");
    mj_append_integer(&body, scale);
    mj_append_text(&body, "}");
    return answer(out, &body);
}

/* The stack's services with their scale, health and containers. With no containers behind it, this
 * starting point reports what was deployed. */
static paddock_status op_status(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char stack[160], key[256];
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = name_member(&req, "stack", stack, sizeof stack, out);
    if (st != PADDOCK_OK) return st;
    make_key(key, sizeof key, "stack", stack, NULL);
    char *stored;
    size_t stored_len;
    st = store_get(d, key, &stored, &stored_len);
    if (st == PADDOCK_E_NOT_FOUND) return fail(out, PADDOCK_E_UNKNOWN_CONTAINER, "no such stack", stack);
    if (st != PADDOCK_OK) return store_failed(out, st, key);
    mj_buffer body = {0};
    mj_append_text(&body, "{\"stack\":");
    mj_append_string(&body, stack);
    mj_append_text(&body, ",\"state\":\"deployed\",\"deployed\":");
    mj_append(&body, stored, stored_len);
    mj_append_text(&body, "}");
    free(stored);
    return answer(out, &body);
}

static paddock_status op_list(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    paddock_status st = read_request(text, len, &req, out);
    if (st != PADDOCK_OK) return st;
    char *keys;
    size_t keys_len;
    st = store_keys(d, "stack/", &keys, &keys_len);
    if (st != PADDOCK_OK) return store_failed(out, st, "stack/");
    mj_buffer body = {0};
    mj_append_text(&body, "{\"stacks\":[");
    size_t position = 0, count = 0;
    const char *item;
    size_t item_len;
    while (mj_next_element(keys, keys_len, &position, &item, &item_len)) {
        char key[256];
        if (mj_string(item, item_len, key, sizeof key) != 0) continue;
        if (count++) mj_append_text(&body, ",");
        mj_append_string(&body, key + strlen("stack/"));
    }
    free(keys);
    mj_append_text(&body, "]}");
    return answer(out, &body);
}

static paddock_status op_logs(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char stack[160];
    int exists;
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = name_member(&req, "stack", stack, sizeof stack, out);
    if (st == PADDOCK_OK) st = stack_exists(d, stack, &exists, out);
    if (st != PADDOCK_OK) return st;
    if (!exists) return fail(out, PADDOCK_E_UNKNOWN_CONTAINER, "no such stack", stack);
    return answer_text(out, "{\"lines\":[]}");
}

static const paddock_orchestrator_ops kind_ops = {
    .struct_size = sizeof(paddock_orchestrator_ops),
    .version = PADDOCK_ORCHESTRATOR_VERSION,
    .deploy = op_deploy,
    .remove = op_remove,
    .scale = op_scale,
    .status = op_status,
    .list = op_list,
    .logs = op_logs,
};
"""#
}
