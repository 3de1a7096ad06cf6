#!/usr/bin/env bash
# Prints the path of a Temporal CLI, building it into tools/ when none is found.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="v1.5.1"
if [ -n "${TEMPORAL_CLI:-}" ] && [ -x "$TEMPORAL_CLI" ]; then echo "$TEMPORAL_CLI"; exit 0; fi
if [ -x "$root/tools/temporal" ]; then echo "$root/tools/temporal"; exit 0; fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
if ! command -v go >/dev/null 2>&1; then
  echo "The Temporal CLI is missing and Go is not installed to build it." >&2
  echo "Install Go 1.22+ or put a 'temporal' binary on PATH (or set TEMPORAL_CLI)." >&2
  exit 1
fi
echo "Building the Temporal CLI $version into tools/ (about 3 minutes the first time)..." >&2
mkdir -p "$root/tools"
GOBIN="$root/tools" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$version" >&2
echo "$root/tools/temporal"
