#!/usr/bin/env bash
# The one test command (README, CI): set-up, typecheck, channel lint, channel fixture tests, then every unit and
# integration test (real Redis, PostgreSQL, sshd… started by the test setup on loopback ports).
# Ends with a plain summary line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
mkdir -p .relais
status=0

echo "== typecheck"
npx tsc --noEmit -p tsconfig.json || status=1

echo "== relais lint"
node bin/relais.mjs lint || status=1

echo "== relais test (channel fixtures)"
node bin/relais.mjs test | tee .relais/channel-tests.txt
[[ ${PIPESTATUS[0]} == 0 ]] || status=1

echo "== vitest"
npx vitest run --reporter=default --reporter=json --outputFile.json=.relais/vitest.json
[[ $? == 0 ]] || status=1

node scripts/summary.mjs .relais/vitest.json .relais/channel-tests.txt || status=1
exit $status
