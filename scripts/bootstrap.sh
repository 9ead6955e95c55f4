#!/usr/bin/env bash
# Installs what the demo and the tests need on a Debian/Ubuntu machine with Node.js 20, as root:
# system packages, pnpm, the workspace's dependencies (exactly as locked) and a build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=(redis-server openvpn tinyproxy dnsmasq-base iproute2 iputils-ping socat curl ca-certificates shellcheck bats chromium docker.io docker-compose debootstrap haproxy iperf3 iptables conntrack docker-registry busybox-static)
PNPM_VERSION=9.15.9

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'bootstrap: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages; the tests create network namespaces)"
command -v node >/dev/null || die "Node.js 20 is required (node not found)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js 20 or newer is required, found $(node --version)"

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})) || [ "${CI:-}" = true ]; then
  step "apt-get install ${missing[*]:-(nothing missing; refreshing lists for CI)}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  ((${#missing[@]} == 0)) || apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The services start their own redis-server/tinyproxy where needed; the packaged ones stay off.
for svc in redis-server tinyproxy; do
  if command -v service >/dev/null && service "$svc" status >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done

if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  step "npm install -g pnpm@$PNPM_VERSION"
  npm install -g --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
fi

step "pnpm install --frozen-lockfile"
pnpm install --frozen-lockfile --reporter=append-only

step "build (tsc -b)"
pnpm run build
