#!/usr/bin/env bash
# Starts (once) a private PostgreSQL cluster from Debian's binaries for the tests,
# and prints `export DATABASE_URL=...`. Stop it with `scripts/test-postgres.sh stop`.
# Fails loudly (non-zero, message on stderr) when the cluster cannot start.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -n "$bindir" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)." >&2; exit 1; }
dir="$root/tmp/test-postgres"
run() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "${1:-}" = stop ]; then
  [ -d "$dir/data" ] && run "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  exit 0
fi
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
mkdir -p "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
  run "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
fi
if run "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  port="$(sed -n 4p "$dir/data/postmaster.pid")"
else
  port="${TEST_PG_PORT:-55432}"
  # Another cluster (an earlier clone's, say) may hold the usual port: take the next free one.
  while ! port_free "$port"; do port=$((port + 1)); done
  if ! run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null; then
    echo "The test PostgreSQL did not start; its log says:" >&2
    tail -5 "$dir/log" >&2
    exit 1
  fi
fi
echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
