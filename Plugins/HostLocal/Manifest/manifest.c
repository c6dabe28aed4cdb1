#include <paddock/plugin.h>

PADDOCK_MANIFEST(
    "{\"name\":\"host-local\",\"version\":\"0.1.0\",\"kinds\":[\"network\"],\"abi\":\"1.0\","
    "\"description\":\"IP address management for one host: leases from a subnet, kept in the host's store\","
    "\"license\":\"Apache-2.0\",\"thread_safe\":true,"
    "\"config_schema\":{\"type\":\"object\",\"additionalProperties\":false,"
    "\"properties\":{"
    "\"subnet\":{\"type\":\"string\",\"format\":\"cidr\",\"description\":\"IPv4 subnet to lease from\"},"
    "\"gateway\":{\"type\":\"string\",\"format\":\"ipv4\"},"
    "\"rangeStart\":{\"type\":\"string\",\"format\":\"ipv4\"},"
    "\"rangeEnd\":{\"type\":\"string\",\"format\":\"ipv4\"}}},"
    "\"actions\":["
    "{\"name\":\"leases\",\"symbol\":\"hostlocal_leases\",\"signature\":\"\","
    "\"description\":\"List every lease: address and owner (containerId/ifName)\"},"
    "{\"name\":\"release\",\"symbol\":\"hostlocal_release\",\"signature\":\"s\",\"arguments\":[\"ADDRESS\"],"
    "\"description\":\"Free the lease of one address, whoever holds it\"}]}");
