#include <paddock/plugin.h>

PADDOCK_MANIFEST(
    "{\"name\":\"haproxy\",\"version\":\"0.1.0\",\"kinds\":[\"lb\"],\"abi\":\"1.0\","
    "\"description\":\"Load balancers on HAProxy 2.6: master-worker with hitless reloads, runtime server changes, active health\","
    "\"license\":\"Apache-2.0\",\"thread_safe\":false,"
    "\"config_schema\":{\"type\":\"object\",\"additionalProperties\":false,"
    "\"properties\":{"
    "\"haproxy\":{\"type\":\"string\",\"pattern\":\"^/\",\"description\":\"path of the haproxy binary\"},"
    "\"bind_address\":{\"type\":\"string\",\"description\":\"address the frontends bind to\"},"
    "\"run_dir\":{\"type\":\"string\",\"pattern\":\"^/\",\"description\":\"where each balancer's files live\"},"
    "\"reload_timeout_ms\":{\"type\":\"integer\",\"minimum\":100,\"maximum\":120000}}}}");
