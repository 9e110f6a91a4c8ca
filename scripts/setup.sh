#!/usr/bin/env bash
# Installs what Relais needs on a fresh machine that has only Node and npm:
#   - npm packages (npm ci, when node_modules is missing or older than package-lock.json; its postinstall speeds up
#     medplum's validator, see scripts/medplum-validator-speed-up.mjs)
#   - Debian packages: redis-server (engine + tests), openssl (demo and TLS test certificates), postgresql-15 (tests), openssh-server (SFTP tests),
#     libxml2-utils (xmllint, benchmark baseline). Installed with apt-get when running as root; otherwise a clear
#     message says what to install.
# Usage: scripts/setup.sh [--runtime]   (--runtime: only what the engine itself needs: npm packages + redis-server)
set -euo pipefail
cd "$(dirname "$0")/.."

runtime_only=false
[[ "${1:-}" == "--runtime" ]] && runtime_only=true

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
else
  # npm ci runs it as postinstall; a node_modules installed before it existed gets it here (idempotent, quiet when done)
  node scripts/medplum-validator-speed-up.mjs >/dev/null
fi

missing=()
have() { command -v "$1" >/dev/null 2>&1 || [[ -x "$2" ]]; }
have redis-server /usr/bin/redis-server || missing+=(redis-server)
have openssl /usr/bin/openssl || missing+=(openssl) # the demo's HTTPS certificate, the TLS tests' PKI
if ! $runtime_only; then
  have initdb /usr/lib/postgresql/15/bin/initdb || missing+=(postgresql-15)
  have sshd /usr/sbin/sshd || missing+=(openssh-server)
  have xmllint /usr/bin/xmllint || missing+=(libxml2-utils)
fi

if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # the Debian packages start services we do not use: tests and the engine run their own on loopback ports
    for svc in redis-server postgresql ssh; do (service "$svc" stop >/dev/null 2>&1 || true); done
  else
    echo "setup: missing system packages: ${missing[*]}" >&2
    echo "  Debian/Ubuntu: sudo apt-get install ${missing[*]}" >&2
    echo "  macOS (Homebrew): brew install redis postgresql@15 libxml2 (sshd ships with macOS)" >&2
    exit 1
  fi
fi
