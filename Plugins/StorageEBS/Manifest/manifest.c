#include <paddock/plugin.h>

#define SECONDS(d) "{\"type\":\"number\",\"exclusiveMinimum\":0,\"maximum\":86400,\"description\":\"" d "\"}"

PADDOCK_MANIFEST(
    "{\"name\":\"ebs\",\"version\":\"0.1.0\",\"kinds\":[\"storage\"],\"abi\":\"1.0\","
    "\"description\":\"Amazon EBS volumes (rancher-ebs): create, attach, format, mount, detach and delete over the EC2 Query API\","
    "\"license\":\"Apache-2.0\",\"thread_safe\":false,"
    "\"config_schema\":{\"type\":\"object\",\"additionalProperties\":false,"
    "\"properties\":{"
    "\"endpoint\":{\"type\":\"string\",\"format\":\"uri\",\"description\":\"EC2 endpoint (default https://ec2.REGION.amazonaws.com; env AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL)\"},"
    "\"region\":{\"type\":\"string\",\"minLength\":1,\"description\":\"AWS region (env AWS_REGION, AWS_DEFAULT_REGION)\"},"
    "\"availability_zone\":{\"type\":\"string\",\"minLength\":1,\"description\":\"zone volumes are created in: this instance's (env PADDOCK_EBS_AVAILABILITY_ZONE)\"},"
    "\"instance_id\":{\"type\":\"string\",\"pattern\":\"^i-[0-9a-f]+$\",\"description\":\"this host's instance (env PADDOCK_EBS_INSTANCE_ID)\"},"
    "\"access_key_id\":{\"type\":\"string\",\"minLength\":1,\"description\":\"env AWS_ACCESS_KEY_ID\"},"
    "\"secret_access_key\":{\"type\":\"string\",\"minLength\":1,\"description\":\"env AWS_SECRET_ACCESS_KEY; prefer the environment: the enable config is stored in state.json\"},"
    "\"session_token\":{\"type\":\"string\",\"description\":\"env AWS_SESSION_TOKEN\"},"
    "\"device_map_hook\":{\"type\":\"string\",\"pattern\":\"^/\",\"description\":\"executable: HOOK attach|detach VOLUME_ID DEVICE prints the block device this host sees\"},"
    "\"mount_root\":{\"type\":\"string\",\"pattern\":\"^/\",\"description\":\"volumes are mounted at MOUNT_ROOT/NAME (default: the plugin's state dir/mounts)\"},"
    "\"mkfs\":{\"type\":\"string\",\"pattern\":\"^/\",\"description\":\"mkfs.ext4 to format new volumes with (default /sbin/mkfs.ext4)\"},"
    "\"wait_timeout_seconds\":" SECONDS("bound on waiting for available, attached and deleted (300)") ","
    "\"detach_timeout_seconds\":" SECONDS("how long a detach may take before it is forced (120)") ","
    "\"device_timeout_seconds\":" SECONDS("bound on waiting for the block device to appear (60)") ","
    "\"poll_interval_seconds\":" SECONDS("pause between DescribeVolumes polls (2)") ","
    "\"request_timeout_seconds\":" SECONDS("bound on one EC2 request (30)") ","
    "\"tags\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"},\"description\":\"extra tags for every created volume\"}}}}");
