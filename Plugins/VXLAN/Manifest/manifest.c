#include <paddock/plugin.h>

PADDOCK_MANIFEST(
    "{\"name\":\"vxlan\",\"version\":\"0.1.0\",\"kinds\":[\"network\"],\"abi\":\"1.0\","
    "\"description\":\"rancher-net's VXLAN overlay: a VTEP per host, per-peer FDB, neighbour and route entries "
    "reconciled from metadata, containers on a per-host bridge with addresses from this host's block\","
    "\"license\":\"Apache-2.0\",\"thread_safe\":true,"
    "\"config_schema\":{\"type\":\"object\",\"additionalProperties\":false,"
    "\"properties\":{"
    "\"subnet\":{\"type\":\"string\",\"format\":\"cidr\",\"description\":\"the environment's IPv4 subnet, split into per-host blocks\"},"
    "\"blockPrefix\":{\"type\":\"integer\",\"minimum\":8,\"maximum\":29,\"description\":\"prefix length of each host's block (default 24)\"},"
    "\"network\":{\"type\":\"string\",\"description\":\"the network's name (default paddock-vxlan)\"},"
    "\"bridge\":{\"type\":\"string\",\"maxLength\":15,\"description\":\"per-host bridge (default paddock0)\"},"
    "\"vtep\":{\"type\":\"string\",\"maxLength\":15,\"description\":\"VXLAN device (default vtep1042)\"},"
    "\"vni\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":16777215,\"description\":\"VXLAN network identifier (default 1042)\"},"
    "\"port\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":65535,\"description\":\"UDP port (default 4789)\"},"
    "\"mtu\":{\"type\":\"integer\",\"minimum\":576,\"maximum\":65535,\"description\":\"container MTU (default underlay - 50)\"}}},"
    "\"actions\":[]}");
