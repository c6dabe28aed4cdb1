/*
 * paddock/plugin.h — the Paddock driver contract (C ABI).
 *
 * This header is the whole contract between the `paddock` host and a driver shared object. A driver
 * needs nothing else: no host library to link, no Swift. It depends only on <stdint.h> and <stddef.h>.
 * docs/abi.md explains the rules below with examples; where the two differ, this header wins.
 *
 * ABI CHANGELOG (newest first). Minor versions only append members at the end of tables and add
 * status codes; a major version is incompatible and is negotiated like any other.
 *   1.0  First version: entry + negotiation, plugin table, host services table, the four kind tables
 *        (network, lb, storage, orchestrator), error documents, manifest and build sections.
 *
 * CONVENTIONS (MUST unless said otherwise)
 *  - Every table starts with `uint32_t struct_size; uint32_t version;`. `struct_size` is sizeof() of
 *    the table as the side that filled it was compiled; `version` is that table's PADDOCK_*_VERSION.
 *    A reader never touches a member that lies beyond `struct_size`, and treats a NULL function
 *    pointer as "not supported" (PADDOCK_E_NOT_SUPPORTED). Members tagged "since 1.N" exist only
 *    when `version` >= 1.N.
 *  - Payloads are UTF-8 JSON, passed as pointer + length, never NUL-terminated by contract (a
 *    terminating NUL MAY follow but is not counted in the length). An empty payload is len == 0
 *    (the pointer MAY then be NULL) and means `{}`.
 *  - Memory: whoever allocates a buffer names the function that frees it. Buffers a plugin returns
 *    through a `paddock_buffer *` are freed by the host with the plugin's `free_buffer`; buffers the
 *    host returns through a `paddock_buffer *` are freed by the plugin with the host's `free_buffer`.
 *    Input pointers are borrowed for the duration of the call only.
 *  - Errors: a function returns a paddock_status. PADDOCK_OK is success. Any other value is an error;
 *    the callee SHOULD then also return an error document in its output buffer:
 *        {"code": <the status>, "msg": "<one line for people>", "details": "<what to do / context>"}
 *    (CNI's error object). A host that receives no document synthesizes one from the code.
 *  - Threads: see PADDOCK_PLUGIN_THREAD_SAFE. Host services are always thread-safe.
 *  - Nothing here may unwind (no C++ exceptions, no Swift errors) across the boundary.
 *  - A Swift image is never dlclose()d: after `destroy` the host simply stops calling the plugin.
 */
#ifndef PADDOCK_PLUGIN_H
#define PADDOCK_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------- */
/* Versions                                                                                       */
/* ---------------------------------------------------------------------------------------------- */

/** A version is (major << 16) | minor. Majors are incompatible; minors are supersets. */
#define PADDOCK_MAKE_VERSION(major, minor) ((uint32_t)(((uint32_t)(major) << 16) | (uint32_t)(minor)))
#define PADDOCK_VERSION_MAJOR(v) ((uint32_t)(v) >> 16)
#define PADDOCK_VERSION_MINOR(v) ((uint32_t)(v) & 0xffffu)

/** The ABI version this header describes. */
#define PADDOCK_ABI_VERSION_CURRENT 0x00010000u /* 1.0; plain literal so every language binding can import it */
/** The oldest ABI version a host built from this header still loads. */
#define PADDOCK_ABI_VERSION_MIN_SUPPORTED 0x00010000u /* 1.0; plain literal so every language binding can import it */

/** The one symbol a driver exports. Its type is paddock_entry_fn. */
#define PADDOCK_ENTRY_SYMBOL "paddock_plugin_entry"

#if defined(_WIN32)
#define PADDOCK_EXPORT __declspec(dllexport)
#else
#define PADDOCK_EXPORT __attribute__((visibility("default")))
#endif

/* ---------------------------------------------------------------------------------------------- */
/* Status codes                                                                                   */
/* ---------------------------------------------------------------------------------------------- */

typedef int32_t paddock_status;

/* 1–99 are CNI's codes (spec 1.1 "Error"), with the same meaning for every kind. */
#define PADDOCK_OK 0
#define PADDOCK_E_INCOMPATIBLE_VERSION 1 /* the other side's version is not supported */
#define PADDOCK_E_UNSUPPORTED_FIELD 2    /* a field in the payload is not supported */
#define PADDOCK_E_UNKNOWN_CONTAINER 3    /* the container / volume / object does not exist */
#define PADDOCK_E_INVALID_ENV 4          /* required environment or host state is missing */
#define PADDOCK_E_IO 5                   /* an I/O or system call failed (errno in details) */
#define PADDOCK_E_DECODE 6               /* the payload is not valid JSON / UTF-8 */
#define PADDOCK_E_INVALID_CONFIG 7       /* the payload or config is well-formed but invalid */
#define PADDOCK_E_TRY_AGAIN 11           /* transient; the caller may retry the same call */
#define PADDOCK_E_UNAVAILABLE 50         /* the driver is not ready to serve (CNI STATUS) */
/* 100 and up are Paddock's own. */
#define PADDOCK_E_NOT_SUPPORTED 100 /* the operation, table or member is not implemented */
#define PADDOCK_E_NOT_FOUND 101     /* a key or named object does not exist */
#define PADDOCK_E_EXISTS 102        /* the object exists already (create of a taken name) */
#define PADDOCK_E_BUSY 103          /* in use; retry after releasing it */
#define PADDOCK_E_CONFLICT 104      /* compare-and-swap lost: the stored value changed */
#define PADDOCK_E_TIMEOUT 105       /* a bounded wait ran out */
#define PADDOCK_E_INTERNAL 106      /* a bug in the callee; details say where */
#define PADDOCK_E_REFUSED 107       /* negotiation or a policy refused the request */

/* ---------------------------------------------------------------------------------------------- */
/* Buffers                                                                                        */
/* ---------------------------------------------------------------------------------------------- */

/**
 * An output buffer. The caller passes a zeroed paddock_buffer; the callee MAY set `data`/`len` to
 * memory it allocated. The caller frees a non-NULL `data` with the callee's `free_buffer`, also on
 * error. `data` holds `len` bytes of UTF-8 JSON (a result on PADDOCK_OK, an error document
 * otherwise).
 */
typedef struct paddock_buffer {
    char *data;
    size_t len;
} paddock_buffer;

/* ---------------------------------------------------------------------------------------------- */
/* Host services: the host hands this table to `create`. Plugins never link host symbols.          */
/* ---------------------------------------------------------------------------------------------- */

#define PADDOCK_HOST_VERSION 0x00010000u /* 1.0; plain literal so every language binding can import it */

typedef enum paddock_log_level {
    PADDOCK_LOG_ERROR = 0,
    PADDOCK_LOG_WARNING = 1,
    PADDOCK_LOG_INFO = 2,
    PADDOCK_LOG_DEBUG = 3,
    PADDOCK_LOG_TRACE = 4
} paddock_log_level;

/**
 * Services the host offers a plugin instance. Valid from `create` until `destroy` returns; every
 * function is thread-safe and may be called from any thread, also outside an operation (e.g. from
 * a plugin's own watcher thread). Every function takes `ctx` first: pass the table's `ctx` back.
 */
typedef struct paddock_host {
    uint32_t struct_size;
    uint32_t version; /* PADDOCK_HOST_VERSION */
    /** Opaque; pass back as the first argument of every function below. */
    void *ctx;
    /** The plugin's name from its manifest (NUL-terminated, owned by the host). */
    const char *plugin_name;
    /** The host's state directory for this plugin: files the plugin may own (NUL-terminated). */
    const char *plugin_state_dir;

    /** Log one message (UTF-8, `len` bytes, no trailing newline needed). Never fails. */
    void (*log)(void *ctx, paddock_log_level level, const char *msg, size_t len);

    /**
     * Per-plugin key-value store, persisted by the host in its state directory and shared by every
     * process of this host (CLI, CNI binary, daemons), written atomically under a lock. Keys are
     * UTF-8, 1–1024 bytes, no NUL; values are opaque bytes up to 1 MiB (JSON by convention).
     */
    /** Read `key`. PADDOCK_E_NOT_FOUND if absent; the value is freed with `free_buffer`. */
    paddock_status (*kv_get)(void *ctx, const char *key, size_t key_len, paddock_buffer *value_out);
    /** Set `key` unconditionally. */
    paddock_status (*kv_put)(void *ctx, const char *key, size_t key_len, const char *value,
                             size_t value_len);
    /**
     * Set `key` only if its stored value equals `expected` (byte for byte); `expected == NULL`
     * means "only if absent". PADDOCK_E_CONFLICT when the condition fails (nothing written). This is
     * how drivers allocate unique things (addresses, device names) across processes.
     */
    paddock_status (*kv_compare_and_swap)(void *ctx, const char *key, size_t key_len,
                                          const char *expected, size_t expected_len,
                                          const char *value, size_t value_len);
    /** Delete `key`. Deleting an absent key is PADDOCK_OK (idempotent teardown). */
    paddock_status (*kv_delete)(void *ctx, const char *key, size_t key_len);
    /** Keys starting with `prefix` (len 0 = all) as a sorted JSON array of strings. */
    paddock_status (*kv_list)(void *ctx, const char *prefix, size_t prefix_len,
                              paddock_buffer *keys_out);

    /**
     * Query the environment's metadata (rancher-metadata's model). `query` is JSON:
     *   {"type": "self"}                  this host's record: {"name","agent_ip","labels",...}
     *   {"type": "hosts"}                 every host record
     *   {"type": "containers", "host": H} containers (optionally only those on host H)
     *   {"type": "stacks"} / {"type": "services", "stack": S} / {"type": "environment"}
     * The answer is JSON, freed with `free_buffer`. Unknown types: PADDOCK_E_NOT_SUPPORTED.
     */
    paddock_status (*metadata_query)(void *ctx, const char *query, size_t query_len,
                                     paddock_buffer *answer_out);

    /**
     * Publish an event: JSON {"type": "<kind>.<what>", ...}, e.g. {"type":"lb.backend.down",...}.
     * The host records it with the plugin's name and a timestamp. Never blocks on consumers.
     */
    paddock_status (*emit_event)(void *ctx, const char *event, size_t event_len);

    /**
     * Call another driver of this environment through the host (orchestrator drivers wire
     * containers, volumes and balancers this way; they never load other drivers themselves).
     * `request` is JSON {"kind": "network"|"lb"|"storage", "op": "<operation>",
     * "driver": "<name>" (optional: the environment's enabled driver of that kind),
     * "payload": {...}}. The callee's result or error document comes back in `response_out`
     * (freed with `free_buffer`) and its status is returned. Only plugins of kind orchestrator
     * may call it; others get PADDOCK_E_REFUSED.
     */
    paddock_status (*call_driver)(void *ctx, const char *request, size_t request_len,
                                  paddock_buffer *response_out);

    /** Free a buffer the host returned to the plugin. NULL `data` is a no-op. */
    void (*free_buffer)(void *ctx, char *data, size_t len);

    /** Reserved for appended services; NULL in 1.0. Read only when `version` says they exist. */
    void *reserved[8];
} paddock_host;

/* ---------------------------------------------------------------------------------------------- */
/* Operations                                                                                     */
/* ---------------------------------------------------------------------------------------------- */

/**
 * Every operation has this shape. `instance` is what `create` returned. `request` is the JSON
 * payload the operation's documentation describes (docs/abi.md, "Payloads"); `response` is a zeroed
 * buffer for the result (PADDOCK_OK) or the error document (otherwise), allocated by the plugin and
 * freed by the host with the plugin's `free_buffer`. A plugin MUST accept an empty or NULL request
 * without crashing (answering PADDOCK_E_DECODE or PADDOCK_E_INVALID_CONFIG as appropriate).
 */
typedef paddock_status (*paddock_op_fn)(void *instance, const char *request, size_t request_len,
                                        paddock_buffer *response);

/* ---- network: CNI semantics (spec 1.0/1.1). Payload: {"command","containerId","netns","ifName",
 *      "args","config": <the conflist plugin entry incl. prevResult / runtimeConfig>}. ---------- */
#define PADDOCK_NETWORK_VERSION 0x00010000u /* 1.0; plain literal so every language binding can import it */
typedef struct paddock_network_ops {
    uint32_t struct_size;
    uint32_t version;   /* PADDOCK_NETWORK_VERSION */
    paddock_op_fn add;    /* attach; result is a CNI result (interfaces, ips, routes, dns) */
    paddock_op_fn del;    /* detach; MUST succeed if the netns, link or lease is already gone */
    paddock_op_fn check;  /* verify an attachment against prevResult */
    paddock_op_fn status; /* ready to serve? PADDOCK_OK or PADDOCK_E_UNAVAILABLE */
    paddock_op_fn gc;     /* release everything not in "cni.dev/valid-attachments" */
    /** CNI VERSION: {"supportedVersions": [...]}. (Named cni_version: `version` is the header.) */
    paddock_op_fn cni_version;
    void *reserved[8];
} paddock_network_ops;

/* ---- lb: rancher lb_config model ({"name", "lb_config": {port_rules, certs, ...},
 *      "health_check": {...}}). ---------------------------------------------------------------- */
#define PADDOCK_LB_VERSION 0x00010000u /* 1.0; plain literal so every language binding can import it */
typedef struct paddock_lb_ops {
    uint32_t struct_size;
    uint32_t version;   /* PADDOCK_LB_VERSION */
    paddock_op_fn apply;  /* make the named balancer match the model (create or change) */
    paddock_op_fn status; /* {"name"} → per backend server: address, state, last check */
    paddock_op_fn remove; /* {"name"} → stop and forget it; absent is PADDOCK_OK */
    paddock_op_fn capabilities; /* {"active_health": bool, "runtime_servers": bool, ...} */
    void *reserved[8];
} paddock_lb_ops;

/* ---- storage: the union of FlexVolume and the Docker volume-plugin protocol. Payloads carry
 *      {"name", "options": {...}} plus per-op fields ("id" for mount refcounting, "device", ...). */
#define PADDOCK_STORAGE_VERSION 0x00010000u /* 1.0; plain literal so every language binding can import it */
typedef struct paddock_storage_ops {
    uint32_t struct_size;
    uint32_t version;    /* PADDOCK_STORAGE_VERSION */
    paddock_op_fn create;  /* provision; PADDOCK_E_EXISTS if the name is taken with other options */
    paddock_op_fn remove;  /* delete (honours the driver's on-remove policy); absent is PADDOCK_OK */
    paddock_op_fn attach;  /* make the volume's device present on this host → {"device"} */
    paddock_op_fn detach;  /* absent attachment is PADDOCK_OK */
    paddock_op_fn mount;   /* {"name","id","target"?} → {"mountpoint"} */
    paddock_op_fn unmount; /* {"name","id"}; not mounted is PADDOCK_OK */
    paddock_op_fn path;    /* {"name"} → {"mountpoint"} ("" when not mounted) */
    paddock_op_fn get;     /* {"name"} → {"name","mountpoint","status":{...}} */
    paddock_op_fn list;    /* {} → {"volumes": [...]} */
    paddock_op_fn capabilities; /* {"scope": "local"|"global", "attach": bool, ...} */
    void *reserved[8];
} paddock_storage_ops;

/* ---- orchestrator: stacks of services ({"environment", "stack", "compose": {...}}). ---------- */
#define PADDOCK_ORCHESTRATOR_VERSION 0x00010000u /* 1.0; plain literal so every language binding can import it */
typedef struct paddock_orchestrator_ops {
    uint32_t struct_size;
    uint32_t version;  /* PADDOCK_ORCHESTRATOR_VERSION */
    paddock_op_fn deploy; /* create or converge a stack */
    paddock_op_fn remove; /* tear a stack down; absent is PADDOCK_OK */
    paddock_op_fn scale;  /* {"stack","service","scale"} */
    paddock_op_fn status; /* {"stack"} → services, containers, health */
    paddock_op_fn list;   /* {} → {"stacks": [...]} */
    paddock_op_fn logs;   /* {"stack","service"?,"tail"?} → {"lines": [...]} */
    void *reserved[8];
} paddock_orchestrator_ops;

/* ---------------------------------------------------------------------------------------------- */
/* The plugin table                                                                               */
/* ---------------------------------------------------------------------------------------------- */

#define PADDOCK_PLUGIN_VERSION 0x00010000u /* 1.0; plain literal so every language binding can import it */

/** Kinds, as bits of paddock_plugin.kinds. The manifest's "kinds" MUST name the same set. */
#define PADDOCK_KIND_NETWORK (1u << 0)
#define PADDOCK_KIND_LB (1u << 1)
#define PADDOCK_KIND_STORAGE (1u << 2)
#define PADDOCK_KIND_ORCHESTRATOR (1u << 3)

/**
 * Flag: every function of this plugin may be called concurrently from several threads, also on
 * the same instance. Without it the host serializes all calls into the plugin (one at a time,
 * from any thread). Host services may be called concurrently either way.
 */
#define PADDOCK_PLUGIN_THREAD_SAFE (1u << 0)

typedef struct paddock_plugin {
    uint32_t struct_size;
    uint32_t version; /* PADDOCK_PLUGIN_VERSION */
    /** MUST equal the manifest's "name" and "version" (NUL-terminated, static storage). */
    const char *name;
    const char *plugin_version;
    uint32_t kinds; /* PADDOCK_KIND_* bits */
    uint32_t flags; /* PADDOCK_PLUGIN_* bits */

    /**
     * Make an instance. `host` stays valid until `destroy` returns. `config` is the JSON config the
     * operator enabled the plugin with, already validated against the manifest's config schema.
     * On success store an opaque pointer in `*instance_out` (it MAY be NULL) and return PADDOCK_OK;
     * otherwise return an error and an error document in `error_out`. MUST NOT start work that
     * outlives `destroy`.
     */
    paddock_status (*create)(const paddock_host *host, const char *config, size_t config_len,
                             void **instance_out, paddock_buffer *error_out);
    /** Release the instance. No call is in flight when the host calls it, and none follows. */
    void (*destroy)(void *instance);
    /** Free a buffer this plugin returned to the host. NULL `data` is a no-op. Thread-safe. */
    void (*free_buffer)(char *data, size_t len);

    /** Kind tables: non-NULL exactly for the kinds in `kinds`. Static storage. */
    const paddock_network_ops *network;
    const paddock_lb_ops *lb;
    const paddock_storage_ops *storage;
    const paddock_orchestrator_ops *orchestrator;

    /**
     * Optional. The host tells the instance about a change, e.g. {"type":"metadata.changed"} when
     * hosts come and go, so it reconciles. The response (may be empty) is freed with free_buffer.
     */
    paddock_op_fn notify;

    /**
     * Optional. A named extension table (LV2's extension_data): returns a pointer to a static table
     * that starts with struct_size/version, or NULL when the plugin does not know `name`. Lets a
     * plugin offer interfaces that are not in 1.0 without a new ABI.
     */
    const void *(*get_extension)(const char *name);

    /** Reserved for appended members; MUST be NULL in 1.0. */
    void *reserved[8];
} paddock_plugin;

/* ---------------------------------------------------------------------------------------------- */
/* Entry and negotiation                                                                          */
/* ---------------------------------------------------------------------------------------------- */

#define PADDOCK_NEGOTIATION_VERSION 0x00010000u /* 1.0; plain literal so every language binding can import it */
#define PADDOCK_REASON_MAX 256

/**
 * In/out negotiation record (as Vulkan's loader negotiates with an ICD). The host fills the "in"
 * members and zeroes the rest. The plugin picks the highest ABI version it speaks within
 * [host_min_abi, host_max_abi], stores it in `abi` and its table in `plugin`, and returns
 * PADDOCK_OK — or returns PADDOCK_E_INCOMPATIBLE_VERSION (no common version) or PADDOCK_E_REFUSED
 * (it will not run here, e.g. a missing kernel feature) with a NUL-terminated reason in `reason`.
 * The host refuses a plugin whose `abi` lies outside its range even if it returned PADDOCK_OK.
 * The entry function runs once per process, on any thread, before any other call; it MUST NOT
 * block, spawn threads or call host services (it has none yet).
 */
typedef struct paddock_negotiation {
    uint32_t struct_size;
    uint32_t version;        /* PADDOCK_NEGOTIATION_VERSION */
    uint32_t host_min_abi;   /* in */
    uint32_t host_max_abi;   /* in */
    uint32_t abi;            /* out: the version chosen */
    uint32_t reserved0;
    const paddock_plugin *plugin;          /* out: static storage, valid while the image is loaded */
    char reason[PADDOCK_REASON_MAX];       /* out: why it refused (NUL-terminated) */
} paddock_negotiation;

typedef paddock_status (*paddock_entry_fn)(paddock_negotiation *negotiation);

/* ---------------------------------------------------------------------------------------------- */
/* The manifest: data in the .so that the host reads by parsing the ELF file, never by running it.  */
/* ---------------------------------------------------------------------------------------------- */

/** ELF section holding the manifest: one UTF-8 JSON object (trailing NULs ignored). */
#define PADDOCK_MANIFEST_SECTION "paddock_manifest"
/** ELF section holding the build fingerprint: NUL-terminated "key=value" strings (as .modinfo). */
#define PADDOCK_BUILD_SECTION "paddock_build"

#define PADDOCK_STRINGIFY_(x) #x
#define PADDOCK_STRINGIFY(x) PADDOCK_STRINGIFY_(x)

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PADDOCK_BYTE_ORDER_ "big"
#else
#define PADDOCK_BYTE_ORDER_ "little"
#endif

#if defined(__has_attribute)
#if __has_attribute(retain)
#define PADDOCK_RETAIN_ , retain /* survives --gc-sections */
#endif
#endif
#ifndef PADDOCK_RETAIN_
#define PADDOCK_RETAIN_
#endif
#if defined(__clang__) || defined(__GNUC__)
#define PADDOCK_SECTION_(name) __attribute__((section(name), used, aligned(1) PADDOCK_RETAIN_))
#else
#define PADDOCK_SECTION_(name)
#endif

/**
 * Embed the manifest (a JSON object as a C string literal) and the build fingerprint. Use once, in
 * one translation unit of the plugin, at file scope:
 *
 *   PADDOCK_MANIFEST("{\"name\":\"dirvol\",\"version\":\"1.0.0\",\"kinds\":[\"storage\"],"
 *                    "\"abi\":\"1.0\",\"description\":\"...\",\"license\":\"MIT\","
 *                    "\"config_schema\":{\"type\":\"object\"}}");
 *
 * Required manifest keys: name ([a-z0-9][a-z0-9._-]{0,62}), version, kinds, abi ("MAJOR.MINOR"),
 * description, license. Optional: config_schema (JSON Schema 2020-12 subset, default: any
 * object), thread_safe (bool, MUST match the flag), actions (extension actions, below).
 *
 * Extension actions: "actions": [{"name": "set_mtu", "symbol": "vxlan_set_mtu", "signature": "si",
 * "description": "..."}] declares an exported C function the host calls through libffi
 * (`paddock plugin call NAME ACTION ARG...`). An optional "arguments": ["IFNAME", "MTU"] names the
 * arguments for help and errors (one per letter). Its C type follows from the signature letters —
 * i: int64_t, f: double, s: const char * (UTF-8, NUL-terminated), b: const void *, size_t (two C
 * arguments) — framed by the instance and an optional result:
 *
 *   paddock_status vxlan_set_mtu(void *instance, const char *ifname, int64_t mtu,
 *                                paddock_buffer *result);
 *
 * `instance` is what `create` returned (the host creates it with the enabled config first);
 * `result` is zeroed and MAY receive JSON (or an error document), freed with `free_buffer`.
 * A `b` pointer is never NULL, also when its size is 0. Calls are serialized like operations
 * unless the plugin is PADDOCK_PLUGIN_THREAD_SAFE.
 */
#define PADDOCK_MANIFEST(json_literal)                                                            \
    PADDOCK_SECTION_(PADDOCK_MANIFEST_SECTION)                                                    \
    static const char paddock_manifest_data[] = json_literal;                                            \
    PADDOCK_SECTION_(PADDOCK_BUILD_SECTION)                                                       \
    static const char paddock_build_data[] =                                                           \
        "paddock-abi=1.0\0"                                                                       \
        "pointer-bytes=" PADDOCK_STRINGIFY(__SIZEOF_POINTER__) "\0"                               \
        "byte-order=" PADDOCK_BYTE_ORDER_ "\0"                                                    \
        "compiler=" __VERSION__ "\0"

#ifdef __cplusplus
}
#endif

#endif /* PADDOCK_PLUGIN_H */
