#include <paddock/plugin.h>

PADDOCK_MANIFEST(
    "{\"name\":\"ipsec\",\"version\":\"0.1.0\",\"kinds\":[\"network\"],\"abi\":\"1.0\","
    "\"description\":\"rancher-net's ipsec backend: containers on a per-host bridge, IKEv2/ESP tunnels between hosts "
    "through strongSwan charon (swanctl/VICI); userspace ESP (kernel-libipsec) where the kernel has none\","
    "\"license\":\"Apache-2.0\",\"thread_safe\":false,"
    "\"config_schema\":{\"type\":\"object\",\"additionalProperties\":false,"
    "\"properties\":{"
    "\"subnet\":{\"type\":\"string\",\"format\":\"cidr\",\"description\":\"the environment's container network (default 198.19.0.0/16)\"},"
    "\"host_prefix\":{\"type\":\"integer\",\"minimum\":8,\"maximum\":29,\"description\":\"prefix of each host's block (default 24)\"},"
    "\"psk\":{\"type\":\"string\",\"minLength\":16,\"description\":\"pre-shared key shared by all hosts; else the environment's ipsec_psk, else generated\"},"
    "\"bridge\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":15,\"description\":\"the containers' bridge (default paddock-ipsec)\"},"
    "\"mtu\":{\"type\":\"integer\",\"minimum\":576,\"maximum\":9000,\"description\":\"container MTU (default 1400)\"},"
    "\"data_path\":{\"enum\":[\"auto\",\"kernel\",\"userspace\"],\"description\":\"ESP in the kernel or in charon (default auto)\"},"
    "\"netns\":{\"type\":\"string\",\"description\":\"the named network namespace that is this host (default: the caller's)\"},"
    "\"charon\":{\"type\":\"string\",\"description\":\"path of charon (default /usr/lib/ipsec/charon)\"},"
    "\"swanctl\":{\"type\":\"string\",\"description\":\"path of swanctl (default /usr/sbin/swanctl)\"}}},"
    "\"actions\":["
    "{\"name\":\"reconcile\",\"symbol\":\"ipsec_reconcile\",\"signature\":\"\","
    "\"description\":\"Reconcile now: bridge, charon (restarted if dead), one connection per peer, stale ones removed\"},"
    "{\"name\":\"stop\",\"symbol\":\"ipsec_stop\",\"signature\":\"\","
    "\"description\":\"Stop this host's charon; the next reconcile starts it again\"}]}");
