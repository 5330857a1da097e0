#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter that really runs, or explain how
# to get one and fail. Rasa 3.6 supports Python 3.10 at most, so nothing newer.
set -u
works() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

candidates=()
[ -n "${WAYPOINT_PYTHON:-}" ] && candidates+=("$WAYPOINT_PYTHON")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for p in $(ls -d "$root"/versions/3.10.*/bin/python 2>/dev/null | sort -V -r); do candidates+=("$p"); done
fi
for p in "$HOME"/.pyenv/versions/3.10.*/bin/python /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [ -x "$p" ] && candidates+=("$p")
done

for p in "${candidates[@]}"; do
  if works "$p"; then echo "$p"; exit 0; fi
done

cat >&2 <<'MSG'
error: no working Python 3.10 found (Rasa 3.6 needs exactly 3.10).
Tried: WAYPOINT_PYTHON, python3.10 on PATH, $(pyenv root)/versions/3.10.*/bin/python.
Fix one of:
  - pyenv install 3.10.13          (then run make again)
  - apt-get install python3.10 python3.10-venv
  - WAYPOINT_PYTHON=/path/to/python3.10 make install
MSG
exit 1
