/// The storage operations of a generated C driver (volumes and mount ids in the store).
enum CStorageOperations {
    static let text = #"""

/* ---- storage: FlexVolume and the Docker volume protocol ----------------------------------------
 * A volume is "volume/<name>" -> {"name","options"}; a mount "mount/<name>/<id>" -> "1" (mounts
 * are counted by id, as the Docker protocol requires); an attachment "attached/<name>" -> "1".
 * Mountpoints are directories under the plugin's state directory. This starting point provisions
 * no real storage: do that in create / attach / mount, and undo it in remove / detach / unmount. */

static void mountpoint_of(driver *d, const char *name, char *path, size_t cap) {
    snprintf(path, cap, "%s/volumes/%s", d->host->plugin_state_dir ? d->host->plugin_state_dir : "/tmp", name);
}

/* mkdir -p */
static int make_directories(const char *path) {
    char partial[1200];
    snprintf(partial, sizeof partial, "%s", path);
    for (char *at = partial + 1; *at; at++) {
        if (*at != '/') continue;
        *at = 0;
        if (mkdir(partial, 0755) != 0 && errno != EEXIST) return -1;
        *at = '/';
    }
    return mkdir(partial, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* How many ids have `name` mounted; -1 when the store failed. */
static int mount_count(driver *d, const char *name) {
    char prefix[256], *keys;
    size_t keys_len;
    make_key(prefix, sizeof prefix, "mount", name, "");
    if (store_keys(d, prefix, &keys, &keys_len) != PADDOCK_OK) return -1;
    size_t position = 0;
    const char *item;
    size_t item_len;
    int count = 0;
    while (mj_next_element(keys, keys_len, &position, &item, &item_len)) count++;
    free(keys);
    return count;
}

/* PADDOCK_OK with `*exists` set; an error answer when the store failed. */
static paddock_status volume_exists(driver *d, const char *name, int *exists, paddock_buffer *out) {
    char key[256], *stored;
    size_t stored_len;
    make_key(key, sizeof key, "volume", name, NULL);
    paddock_status st = store_get(d, key, &stored, &stored_len);
    *exists = st == PADDOCK_OK;
    if (st == PADDOCK_OK) free(stored);
    if (st == PADDOCK_OK || st == PADDOCK_E_NOT_FOUND) return PADDOCK_OK;
    return store_failed(out, st, key);
}

/* Reads "name" and answers UNKNOWN_CONTAINER when that volume was never created. */
static paddock_status existing_volume(driver *d, const request *req, char *name, size_t cap, paddock_buffer *out) {
    int exists;
    paddock_status st = name_member(req, "name", name, cap, out);
    if (st == PADDOCK_OK) st = volume_exists(d, name, &exists, out);
    if (st != PADDOCK_OK) return st;
    return exists ? PADDOCK_OK : fail(out, PADDOCK_E_UNKNOWN_CONTAINER, "no such volume", name);
}

/* Creating a volume that exists with the same options succeeds; with other options it is taken. */
static paddock_status op_create(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char name[160], key[256];
    const char *options;
    size_t options_len;
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = name_member(&req, "name", name, sizeof name, out);
    if (st == PADDOCK_OK) st = json_member(&req, "options", MJ_OBJECT, "{}", &options, &options_len, out);
    if (st != PADDOCK_OK) return st;
    mj_buffer model = {0};
    mj_append_text(&model, "{\"name\":");
    mj_append_string(&model, name);
    mj_append_text(&model, ",\"options\":");
    mj_append(&model, options, options_len);
    mj_append_text(&model, "}");
    if (model.failed) return answer(out, &model);
    make_key(key, sizeof key, "volume", name, NULL);
    char *stored;
    size_t stored_len;
    st = store_get(d, key, &stored, &stored_len);
    if (st == PADDOCK_OK) {
        /* Options are compared as text: send them the same way to create twice. */
        int same = stored_len == model.len && memcmp(stored, model.data, stored_len) == 0;
        free(stored);
        free(model.data);
        if (!same) return fail(out, PADDOCK_E_EXISTS, "a volume of that name exists with other options", name);
    } else if (st == PADDOCK_E_NOT_FOUND) {
        st = store_put(d, key, model.data, model.len);
        free(model.data);
        if (st != PADDOCK_OK) return store_failed(out, st, key);
        say(d, PADDOCK_LOG_DEBUG, "created a volume");
    } else {
        free(model.data);
        return store_failed(out, st, key);
    }
    mj_buffer body = {0};
    mj_append_text(&body, "{\"name\":");
    mj_append_string(&body, name);
    mj_append_text(&body, ",\"mountpoint\":\"\"}");
    return answer(out, &body);
}

/* Removing a volume that does not exist succeeds; a mounted one is busy. */
static paddock_status op_remove(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char name[160], key[256], path[1024];
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = name_member(&req, "name", name, sizeof name, out);
    if (st != PADDOCK_OK) return st;
    int mounts = mount_count(d, name);
    if (mounts < 0) return store_failed(out, PADDOCK_E_IO, "mount/");
    if (mounts > 0) return fail(out, PADDOCK_E_BUSY, "the volume is mounted", "unmount every mount id first");
    make_key(key, sizeof key, "attached", name, NULL);
    st = store_delete(d, key);
    if (st == PADDOCK_OK) {
        make_key(key, sizeof key, "volume", name, NULL);
        st = store_delete(d, key);
    }
    if (st != PADDOCK_OK) return store_failed(out, st, key);
    /* The mountpoint goes if it is empty; a real driver deletes the volume's data here. */
    mountpoint_of(d, name, path, sizeof path);
    (void)rmdir(path);
    return answer_text(out, "{}");
}

static paddock_status op_attach(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char name[160], key[256];
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = existing_volume(d, &req, name, sizeof name, out);
    if (st != PADDOCK_OK) return st;
    make_key(key, sizeof key, "attached", name, NULL);
    st = store_put(d, key, "1", 1);
    if (st != PADDOCK_OK) return store_failed(out, st, key);
    /* No block device behind this starting point. */
    return answer_text(out, "{\"device\":\"\"}");
}

/* Detaching what is not attached succeeds. */
static paddock_status op_detach(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char name[160], key[256];
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = name_member(&req, "name", name, sizeof name, out);
    if (st != PADDOCK_OK) return st;
    make_key(key, sizeof key, "attached", name, NULL);
    st = store_delete(d, key);
    if (st != PADDOCK_OK) return store_failed(out, st, key);
    return answer_text(out, "{}");
}

static paddock_status op_mount(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char name[160], id[160], key[512], path[1024];
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = existing_volume(d, &req, name, sizeof name, out);
    if (st == PADDOCK_OK) st = name_member(&req, "id", id, sizeof id, out);
    if (st != PADDOCK_OK) return st;
    mountpoint_of(d, name, path, sizeof path);
    if (make_directories(path) != 0) return fail(out, PADDOCK_E_IO, "cannot create the mountpoint", strerror(errno));
    make_key(key, sizeof key, "mount", name, id);
    st = store_put(d, key, "1", 1);
    if (st != PADDOCK_OK) return store_failed(out, st, key);
    mj_buffer body = {0};
    mj_append_text(&body, "{\"mountpoint\":");
    mj_append_string(&body, path);
    mj_append_text(&body, "}");
    return answer(out, &body);
}

/* Unmounting an id that has nothing mounted succeeds. */
static paddock_status op_unmount(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char name[160], id[160], key[512];
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = name_member(&req, "name", name, sizeof name, out);
    if (st == PADDOCK_OK) st = name_member(&req, "id", id, sizeof id, out);
    if (st != PADDOCK_OK) return st;
    make_key(key, sizeof key, "mount", name, id);
    st = store_delete(d, key);
    if (st != PADDOCK_OK) return store_failed(out, st, key);
    return answer_text(out, "{}");
}

/* {"mountpoint": "<path>" while mounted by any id, "" otherwise}. */
static paddock_status mountpoint_answer(driver *d, const char *name, paddock_buffer *out, int with_status) {
    char path[1024];
    int mounts = mount_count(d, name);
    if (mounts < 0) return store_failed(out, PADDOCK_E_IO, "mount/");
    mountpoint_of(d, name, path, sizeof path);
    mj_buffer body = {0};
    if (with_status) {
        mj_append_text(&body, "{\"name\":");
        mj_append_string(&body, name);
        mj_append_text(&body, ",");
    } else {
        mj_append_text(&body, "{");
    }
    mj_append_text(&body, "\"mountpoint\":");
    mj_append_string(&body, mounts > 0 ? path : "");
    if (with_status) {
        mj_append_text(&body, ",\"status\":{\"mounts\":");
        mj_append_integer(&body, mounts);
        mj_append_text(&body, "}");
    }
    mj_append_text(&body, "}");
    return answer(out, &body);
}

static paddock_status op_path(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char name[160];
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = existing_volume(d, &req, name, sizeof name, out);
    if (st != PADDOCK_OK) return st;
    return mountpoint_answer(d, name, out, 0);
}

static paddock_status op_get(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    char name[160];
    paddock_status st = read_request(text, len, &req, out);
    if (st == PADDOCK_OK) st = existing_volume(d, &req, name, sizeof name, out);
    if (st != PADDOCK_OK) return st;
    return mountpoint_answer(d, name, out, 1);
}

static paddock_status op_list(void *instance, const char *text, size_t len, paddock_buffer *out) {
    driver *d = instance;
    request req = {0};
    paddock_status st = read_request(text, len, &req, out);
    if (st != PADDOCK_OK) return st;
    char *keys;
    size_t keys_len;
    st = store_keys(d, "volume/", &keys, &keys_len);
    if (st != PADDOCK_OK) return store_failed(out, st, "volume/");
    mj_buffer body = {0};
    mj_append_text(&body, "{\"volumes\":[");
    size_t position = 0, count = 0;
    const char *item;
    size_t item_len;
    while (mj_next_element(keys, keys_len, &position, &item, &item_len)) {
        char key[256], path[1024];
        if (mj_string(item, item_len, key, sizeof key) != 0) continue;
        const char *name = key + strlen("volume/");
        int mounts = mount_count(d, name);
        mountpoint_of(d, name, path, sizeof path);
        if (count++) mj_append_text(&body, ",");
        mj_append_text(&body, "{\"name\":");
        mj_append_string(&body, name);
        mj_append_text(&body, ",\"mountpoint\":");
        mj_append_string(&body, mounts > 0 ? path : "");
        mj_append_text(&body, "}");
    }
    free(keys);
    mj_append_text(&body, "]}");
    return answer(out, &body);
}

static paddock_status op_capabilities(void *instance, const char *text, size_t len, paddock_buffer *out) {
    (void)instance;
    request req = {0};
    paddock_status st = read_request(text, len, &req, out);
    if (st != PADDOCK_OK) return st;
    return answer_text(out, "{\"scope\":\"local\",\"attach\":true}");
}

static const paddock_storage_ops kind_ops = {
    .struct_size = sizeof(paddock_storage_ops),
    .version = PADDOCK_STORAGE_VERSION,
    .create = op_create,
    .remove = op_remove,
    .attach = op_attach,
    .detach = op_detach,
    .mount = op_mount,
    .unmount = op_unmount,
    .path = op_path,
    .get = op_get,
    .list = op_list,
    .capabilities = op_capabilities,
};
"""#
}
