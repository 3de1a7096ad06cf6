#!/usr/bin/env bash
# Prints the path of a Temporal CLI, building it when none is found.
# The build (go install, about 3 minutes and 2 GB of memory the first time) goes to a
# per-user cache so that fresh clones on the same machine reuse it; tools/ links to it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="v1.5.1"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/passeport/temporal-$version"
if [ -n "${TEMPORAL_CLI:-}" ] && [ -x "$TEMPORAL_CLI" ]; then echo "$TEMPORAL_CLI"; exit 0; fi
if [ -x "$root/tools/temporal" ]; then echo "$root/tools/temporal"; exit 0; fi
if [ ! -x "$cache/temporal" ]; then
  if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
  if ! command -v go >/dev/null 2>&1; then
    echo "The Temporal CLI is missing and Go is not installed to build it." >&2
    echo "Install Go 1.22+ or put a 'temporal' binary on PATH (or set TEMPORAL_CLI)." >&2
    exit 1
  fi
  echo "Building the Temporal CLI $version (about 3 minutes the first time)..." >&2
  mkdir -p "$cache"
  GOBIN="$cache" go install "github.com/temporalio/cli/cmd/temporal@$version" >&2
fi
mkdir -p "$root/tools"
ln -sf "$cache/temporal" "$root/tools/temporal"
echo "$root/tools/temporal"
