#!/usr/bin/env bash
# `pnpm test`: lint and type check first, then every jest project; prints one closing line
# "tests: N passed, N failed, N skipped" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
mkdir -p test-artifacts
status=0
echo "==> lint (biome ci)"; pnpm -s lint || status=1
echo "==> shellcheck"; mapfile -t shell_files < <(git ls-files ".ci/run" "*.sh"); shellcheck -x "${shell_files[@]}" || status=1
echo "==> typecheck (tsc -b, tests included)"; pnpm -s typecheck || status=1
if [ "$status" -ne 0 ]; then echo "tests: 0 passed, 1 failed (lint or typecheck failed)"; exit 1; fi
results=test-artifacts/jest-results.json
rm -f "$results"
echo "==> unit + integration"
pnpm exec jest --selectProjects unit integration --maxWorkers=2 --json --outputFile="$results.1" || status=1
echo "==> end to end"
pnpm exec jest --selectProjects e2e --runInBand --passWithNoTests --json --outputFile="$results.2" || status=1
echo "==> chaos (short form: faults under user load, figures in bench/chaos-results.json)"
pnpm exec jest --selectProjects chaos --runInBand --json --outputFile="$results.3" || status=1
echo "==> shell (bats)"
bats_tap=test-artifacts/bats.tap
bats --tap packages/operator-cli/test/bats test/bats/infra test/bats/docker | tee "$bats_tap" || status=1
node scripts/test-summary.js "$results.1" "$results.2" "$results.3" --tap "$bats_tap" || status=1
exit "$status"
