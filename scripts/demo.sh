#!/usr/bin/env bash
# The local demo: the cloud emulator and all four POP services on this host, end to end.
# Installs what it needs first. Runs until Ctrl-C; `--once` checks and exits.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
exec node e2e/dist/demo/main.js "$@"
