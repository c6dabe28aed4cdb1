#include <paddock/plugin.h>

PADDOCK_MANIFEST(
    "{\"name\":\"nfs\",\"version\":\"0.1.0\",\"kinds\":[\"storage\"],\"abi\":\"1.0\","
    "\"description\":\"NFS volumes with rancher-nfs semantics: a directory per volume under exportBase (or an export as is), "
    "provisioned over NFS with libnfs, mounted with the kernel client or in userspace (libfuse3)\","
    "\"license\":\"Apache-2.0\",\"thread_safe\":false,"
    "\"config_schema\":{\"type\":\"object\",\"additionalProperties\":false,"
    "\"properties\":{"
    "\"host\":{\"type\":\"string\",\"minLength\":1,\"description\":\"NFS server name or address (NFS_SERVER)\"},"
    "\"port\":{\"type\":[\"integer\",\"string\"],\"description\":\"NFS port, default 2049\"},"
    "\"export\":{\"type\":\"string\",\"description\":\"use this export as is for every volume\"},"
    "\"exportBase\":{\"type\":\"string\",\"description\":\"a directory per volume under this path (MOUNT_DIR)\"},"
    "\"mntOptions\":{\"type\":\"string\",\"description\":\"comma-separated mount options (MOUNT_OPTS)\"},"
    "\"nfsVersion\":{\"type\":\"string\",\"description\":\"3, 4, 4.0, 4.1 or 4.2 (NFS_VERS), default 4\"},"
    "\"onRemove\":{\"enum\":[\"purge\",\"retain\",\"archive\"],\"description\":\"what remove does with the data (ON_REMOVE)\"},"
    "\"mountDir\":{\"type\":\"string\",\"description\":\"where volumes are mounted, default <plugin state dir>/volumes\"},"
    "\"fuseHelper\":{\"type\":\"string\",\"description\":\"path of paddock-nfs-fuse, default beside the driver or paddock\"},"
    "\"mountMode\":{\"enum\":[\"auto\",\"kernel\",\"fuse\"],\"description\":\"kernel NFS client, userspace, or auto (default)\"},"
    "\"timeout\":{\"type\":[\"integer\",\"string\"],\"description\":\"seconds for each NFS call and mount wait, default 10\"}}}}");
