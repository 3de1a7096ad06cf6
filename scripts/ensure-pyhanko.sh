#!/usr/bin/env bash
# Prints the path of a Python interpreter that has pyHanko (the outside validator the
# PAdES tests use; its CLI, pyhanko-cli, is bench/cli.ts's baseline), creating a private venv under
# tools/ when missing. Versions pinned.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pins="pyHanko==0.38.0 pyhanko-certvalidator==0.33.0 pyhanko-cli==0.6.0"
venv="$root/tools/pyhanko-venv"
stamp="$venv/.pins"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$pins" ]; then
  echo "Installing pyHanko in $venv ($pins)..." >&2
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check $pins >&2
  echo "$pins" > "$stamp"
fi
echo "$venv/bin/python"
