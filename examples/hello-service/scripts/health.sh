#!/bin/sh
# Exit 0 when the server answers /health on its port; the deployment retries until the
# manifest's health.timeout.
exec python3 - "$PORT_HTTP" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=2) as answer:
        sys.exit(0 if answer.status == 200 else 1)
except OSError as error:
    print(f"health: {error}", file=sys.stderr)
    sys.exit(1)
PY
