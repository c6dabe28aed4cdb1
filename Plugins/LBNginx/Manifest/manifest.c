#include <paddock/plugin.h>

PADDOCK_MANIFEST(
    "{\"name\":\"nginx\",\"version\":\"0.1.0\",\"kinds\":[\"lb\"],\"abi\":\"1.0\","
    "\"description\":\"Load balancers on nginx open source: http/https with SNI certificates, tcp/udp/sni streams, "
    "nginx -t before every change, graceful SIGHUP reloads, passive health (max_fails/fail_timeout)\","
    "\"license\":\"Apache-2.0\",\"thread_safe\":false,"
    "\"config_schema\":{\"type\":\"object\",\"additionalProperties\":false,"
    "\"properties\":{"
    "\"nginx\":{\"type\":\"string\",\"pattern\":\"^/\",\"description\":\"path of the nginx binary (default /usr/sbin/nginx)\"},"
    "\"bind_address\":{\"type\":\"string\",\"anyOf\":[{\"format\":\"ipv4\"},{\"format\":\"ipv6\"}],"
    "\"description\":\"address every balancer listens on (default 127.0.0.1)\"},"
    "\"run_dir\":{\"type\":\"string\",\"pattern\":\"^/\","
    "\"description\":\"where each balancer's prefix directory lives (default the plugin's state directory)\"}}}}");
