#!/usr/bin/env bash
# Starts (once) a private PostgreSQL cluster from Debian's binaries for the tests,
# and prints `export DATABASE_URL=...`. Stop it with `scripts/test-postgres.sh stop`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
dir="$root/tmp/test-postgres"
port="${TEST_PG_PORT:-55432}"
run() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "${1:-}" = stop ]; then
  [ -d "$dir/data" ] && run "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  exit 0
fi
mkdir -p "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
  run "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
fi
if ! run "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null
fi
echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
