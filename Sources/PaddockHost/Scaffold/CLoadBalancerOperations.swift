/// The lb operations of a generated C driver (balancer models in the store).
enum CLoadBalancerOperations {
    static let text = #"""

/* ---- lb: rancher's lb_config model -------------------------------------------------------------
 * A balancer is "balancer/<name>" -> {"name","lb_config","health_check"} as last applied. This
 * starting point runs no proxy: render the model into your proxy's config in apply, and stop it in
 * remove. */

static paddock_status op_apply(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char name[160], key[256];
    const char *config, *health;
    size_t config_len, health_len;
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = name_member(&req, "name", name, sizeof name, out);
    if (st == PADDOCK_OK) st = json_member(&req, "lb_config", MJ_OBJECT, "{}", &config, &config_len, out);
    if (st == PADDOCK_OK) st = json_member(&req, "health_check", MJ_OBJECT, "{}", &health, &health_len, out);
    if (st != PADDOCK_OK) return st;
    mj_buffer model = {0};
    mj_append_text(&model, "{\"name\":");
    mj_append_string(&model, name);
    mj_append_text(&model, ",\"lb_config\":");
    mj_append(&model, config, config_len);
    mj_append_text(&model, ",\"health_check\":");
    mj_append(&model, health, health_len);
    mj_append_text(&model, "}");
    if (model.failed) return answer(out, &model);
    make_key(key, sizeof key, "balancer", name, NULL);
    st = store_put(d, key, model.data, model.len);
    free(model.data);
    if (st != PADDOCK_OK) return store_failed(out, st, key);
    say(d, PADDOCK_LOG_DEBUG, "applied a balancer");
    mj_buffer body = {0};
    mj_append_text(&body, "{\"name\":");
    mj_append_string(&body, name);
    mj_append_text(&body, ",\"applied\":true}");
    return answer(out, &body);
}

/* Per backend server: address, state (UP, DOWN, MAINT, INIT) and the last check. With no proxy
 * behind it, this starting point knows no servers yet. */
static paddock_status op_status(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char name[160], key[256];
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = name_member(&req, "name", name, sizeof name, out);
    if (st != PADDOCK_OK) return st;
    make_key(key, sizeof key, "balancer", name, NULL);
    char *stored;
    size_t stored_len;
    st = store_get(d, key, &stored, &stored_len);
    if (st == PADDOCK_E_NOT_FOUND) return fail(out, PADDOCK_E_NOT_FOUND, "no such balancer", name);
    if (st != PADDOCK_OK) return store_failed(out, st, key);
    free(stored);
    mj_buffer body = {0};
    mj_append_text(&body, "{\"name\":");
    mj_append_string(&body, name);
    mj_append_text(&body, ",\"servers\":[]}");
    return answer(out, &body);
}

/* Removing a balancer that does not exist succeeds. */
static paddock_status op_remove(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char name[160], key[256];
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = name_member(&req, "name", name, sizeof name, out);
    if (st != PADDOCK_OK) return st;
    make_key(key, sizeof key, "balancer", name, NULL);
    st = store_delete(d, key);
    if (st != PADDOCK_OK) return store_failed(out, st, key);
    return answer_text(out, "{}");
}

/* Say what the driver cannot do, so the host answers "not supported" instead of faking it. */
static paddock_status op_capabilities(void *instance, const char *text, size_t len, paddock_buffer *out) {
    (void)instance;
    request req = {0};
    paddock_status st = read_request(text, len, &req, out);
    if (st != PADDOCK_OK) return st;
    return answer_text(out, "{\"active_health\":false,\"runtime_servers\":false,\"certs\":false,\"stickiness\":false}");
}

static const paddock_lb_ops kind_ops = {
    .struct_size = sizeof(paddock_lb_ops),
    .version = PADDOCK_LB_VERSION,
    .apply = op_apply,
    .status = op_status,
    .remove = op_remove,
    .capabilities = op_capabilities,
};
"""#
}
