#!/usr/bin/env bash
# The whole test suite: lint, type check, unit, integration and end-to-end tests (real Redis,
# real openvpn in network namespaces, the emulator over TLS). Needs root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
pnpm test
