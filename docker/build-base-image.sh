#!/usr/bin/env bash
# Builds the base image of every pa-connector image without a registry: Debian bookworm
# (minbase, from a Debian mirror) plus the Node.js 20 runtime, imported with `docker import`.
#
# Node.js 20 is not in bookworm's archive (it ships 18), so the node binary of this host is
# copied in. It links only against glibc and libstdc++, which minbase has; the script runs it
# inside the new root before importing, so a host binary that needs a newer glibc is refused.
# Set PA_NODE_BINARY to use another binary (e.g. one unpacked from nodejs.org's tarball).
#
#   sudo docker/build-base-image.sh [--force] [--image NAME:TAG] [--mirror URL]
#
# Idempotent: does nothing when the image exists, unless --force.
set -euo pipefail

image=${PA_BASE_IMAGE:-pa-base:bookworm}
mirror=${PA_DEBIAN_MIRROR:-http://deb.debian.org/debian}
node_bin=${PA_NODE_BINARY:-$(command -v node || true)}
force=0

usage() {
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
}

die() {
  echo "build-base-image: $*" >&2
  exit 1
}

# A bad argument: exit 64 as in docs/exit-codes.md (every other failure is 1).
usage_error() {
  echo "build-base-image: $*" >&2
  exit 64
}

# An option's value; an empty one is a mistake (an unset variable), never the option left out.
value_of() {
  [ -n "$2" ] || usage_error "$1: the value is empty"
  printf '%s' "$2"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --image) [ $# -ge 2 ] || usage_error "--image needs a value"; image=$(value_of --image "$2"); shift ;;
    --image=*) image=$(value_of --image "${1#--image=}") ;;
    --mirror) [ $# -ge 2 ] || usage_error "--mirror needs a value"; mirror=$(value_of --mirror "$2"); shift ;;
    --mirror=*) mirror=$(value_of --mirror "${1#--mirror=}") ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1 (see --help)" ;;
  esac
  shift
done

[[ $image =~ ^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?$ ]] || usage_error "not an image name: $image"
[[ $mirror =~ ^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$ ]] ||
  usage_error "not a mirror URL: $mirror"

command -v docker >/dev/null || die "docker is not installed"
docker info >/dev/null 2>&1 || die "cannot reach the Docker engine (is dockerd running?)"

if [ "$force" = 0 ] && docker image inspect "$image" >/dev/null 2>&1; then
  echo "build-base-image: $image exists (use --force to rebuild)"
  exit 0
fi

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap and chroot)"
command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
{ [ -n "$node_bin" ] && [ -x "$node_bin" ]; } || die "no node binary (install Node.js 20 or set PA_NODE_BINARY)"
node_version=$("$node_bin" --version)
[[ $node_version =~ ^v20\. ]] || die "$node_bin is Node.js $node_version; Node.js 20 is needed"

work=$(mktemp -d /tmp/pa-base.XXXXXX)
cleanup() {
  rm -rf "$work"
}
trap cleanup EXIT
root=$work/root

start=$(date +%s)
echo "build-base-image: debootstrap bookworm (minbase) from $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2
  die "debootstrap failed"
}

install -m 0755 "$node_bin" "$root/usr/local/bin/node"
chroot "$root" /usr/local/bin/node -e 'process.exit(0)' ||
  die "$node_bin does not run on bookworm's libraries"

# Only what a runtime needs: no package caches, docs, manuals or translations.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
  "$root"/usr/share/locale/* "$root"/var/log/*.log "$root"/var/log/apt/*
# Images are rebuilt, not upgraded in place: keep apt from leaving caches behind in layers.
cat >"$root/etc/apt/apt.conf.d/90pa-image" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Dpkg::Options { "--force-confdef"; "--force-confold"; };
APT

tar --numeric-owner -C "$root" -c . |
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL org.opencontainers.image.description=\"Debian bookworm minbase + Node.js $node_version\"" \
    --change 'CMD ["node"]' \
    - "$image" >/dev/null

echo "build-base-image: $image built in $(($(date +%s) - start)) s ($(docker image inspect -f '{{.Size}}' "$image") bytes, Node.js $node_version)"
