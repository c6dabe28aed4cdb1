#!/bin/sh
# Device-mapping hook for the EBS tests: HOOK attach|detach VOLUME_ID DEVICE.
# Stands in for the disk EC2 would attach: a sparse file per volume under IMAGES (beside this
# script), set up as a loop device on attach (the path is printed) and released on detach.
# The file outlives detach, as an EBS volume does, so data survives unmount and remount.
set -eu
images="$(dirname "$0")/images"
image="$images/$2.img"
case "$1" in
attach)
    mkdir -p "$images"
    [ -f "$image" ] || truncate -s 128M "$image"
    device=$(losetup -j "$image" | cut -d: -f1 | head -n 1)
    [ -n "$device" ] || device=$(losetup --find --show "$image")
    echo "$1 $2 $3 $device" >> "$(dirname "$0")/hook.log"
    echo "$device"
    ;;
detach)
    for device in $(losetup -j "$image" | cut -d: -f1); do losetup -d "$device"; done
    # A loop device still open somewhere (the kernel finishing an unmount) is only marked for
    # autoclear by -d; wait (bounded) until it is really gone, as a detached disk would be.
    tries=0
    while [ -n "$(losetup -j "$image")" ] && [ $tries -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
    echo "$1 $2 $3" >> "$(dirname "$0")/hook.log"
    ;;
*)
    echo "usage: $0 attach|detach VOLUME_ID DEVICE" >&2
    exit 2
    ;;
esac
