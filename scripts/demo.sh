#!/usr/bin/env bash
# The demo: installs what is missing, then runs the engine on its embedded defaults (its own redis-server, PGlite)
# with the channels in channels/, a stand-in DCC FHIR server, drops the demo files and shows what came out.
# Keeps running until Ctrl-C; `npm run demo -- --once` stops after showing the results.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --runtime
exec node --import tsx scripts/demo.ts "$@"
