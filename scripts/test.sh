#!/usr/bin/env bash
# The test command: type-check, then every vitest suite against a real Temporal
# dev server, a real PostgreSQL, SoftHSM2 and the outside judges (openssl, pdfsig, qpdf).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/bootstrap.sh
export TEMPORAL_CLI="$(bash scripts/ensure-temporal.sh)"
if [ -z "${DATABASE_URL:-}" ]; then
  pg_env="$(bash scripts/test-postgres.sh)"
  eval "$pg_env"
fi
echo "Type-checking..."
npx tsc --noEmit
npx vitest run "$@"
