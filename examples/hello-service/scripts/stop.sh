#!/bin/sh
# Stops the server this release started; succeeds when it is not running.
set -eu
[ -f run/server.pid ] || exit 0
pid=$(cat run/server.pid)
if kill "$pid" 2>/dev/null; then
  i=0
  while kill -0 "$pid" 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then kill -9 "$pid" 2>/dev/null || true; break; fi
    sleep 0.1
  done
fi
rm -f run/server.pid
