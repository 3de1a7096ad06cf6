#!/usr/bin/env bash
# The test command: type-check, the layering, lint and format checks, then every vitest
# suite against a real Temporal dev server, a real PostgreSQL (the embedded cluster, started by the run itself
# exactly as `passeport start` starts it), SoftHSM2 and the outside judges
# (openssl, pdfsig, qpdf). Nothing needs to be running, and no DATABASE_URL.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/bootstrap.sh
export TEMPORAL_CLI="$(bash scripts/ensure-temporal.sh)"
# pyHanko (PyPI, pinned, in a private venv) judges PAdES files beside openssl, pdfsig and qpdf.
export PYHANKO_PYTHON="$(bash scripts/ensure-pyhanko.sh)"
echo "Type-checking..."
npx tsc --noEmit
# The direction of dependencies between folders (.dependency-cruiser.cjs), lint and format:
# each fails the run, naming the rule or the file.
echo "Checking the layering (dependency-cruiser)..."
npm run --silent layers
echo "Linting (typescript-eslint)..."
npm run --silent lint
echo "Checking the formatting (prettier)..."
npm run --silent format:check
# The CLI the tests run as processes is compiled JavaScript: built from the tree now.
echo "Building the CLI..."
node cli/launch.mjs --build-only
npx vitest run "$@"
