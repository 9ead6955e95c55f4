#!/bin/sh
# Entry point of the images that run openvpn (connector, emulator gateways).
#
# Started as root, it hands the container's own /dev/net/tun node to the service user (a host
# whose node is 0600 root, not the usual 0666, would otherwise refuse it; the node lives in the
# container's /dev, so the host's is untouched), then drops to that user with no capabilities
# and a bounding set of NET_ADMIN alone: openvpn gets NET_ADMIN from its file capability and
# nothing can gain more. Needs CHOWN, SETUID, SETGID, SETPCAP and NET_ADMIN (compose.yaml).
# Started as another user, it just runs the command.
set -eu

uid=${PA_RUN_UID:-10001}
gid=${PA_RUN_GID:-10001}

if [ "$(id -u)" != 0 ]; then
  exec "$@"
fi
if [ -c /dev/net/tun ]; then
  chmod 0600 /dev/net/tun
  chown "$uid:$gid" /dev/net/tun
fi
exec setpriv --reuid="$uid" --regid="$gid" --clear-groups \
  --inh-caps=-all --bounding-set=-all,+net_admin -- "$@"
