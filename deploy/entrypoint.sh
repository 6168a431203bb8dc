#!/bin/sh
# The container's entrypoint (installed as /usr/local/bin/jobsai-entrypoint by the Dockerfile).
#
#   jobsai-entrypoint                       jobsai serve (the image's default command)
#   jobsai-entrypoint serve|worker|...      any jobsai command, as the process itself (signals reach it)
#   jobsai-entrypoint healthcheck [URL [TEXT]]
#                                           exit 0 when URL (default: this container's /healthz) answers 200
#                                           and, with TEXT, its body contains TEXT; else exit 1 (for HEALTHCHECK)
set -eu

if [ "$#" -eq 0 ]; then
    set -- serve
fi

if [ "$1" = "healthcheck" ]; then
    shift
    url=${1:-http://127.0.0.1:${JOBSAI_WEB_PORT:-7860}/healthz}
    text=${2:-}
    exec python3 - "$url" "$text" <<'PY'
import sys
import urllib.request

url, text = sys.argv[1], sys.argv[2]
try:
    with urllib.request.urlopen(url, timeout=4) as response:
        body = response.read(1 << 20).decode("utf-8", "replace")
        ok = response.status == 200 and (not text or text in body)
except Exception as exc:  # noqa: BLE001 - any failure is "unhealthy"
    print(f"unhealthy: {url}: {exc}", file=sys.stderr)
    sys.exit(1)
if not ok:
    print(f"unhealthy: {url}: status {response.status}" + (f", no {text!r} in the answer" if text else ""),
          file=sys.stderr)
sys.exit(0 if ok else 1)
PY
fi

# A jobsai command (serve, worker, status, backup, ...) or jobsai's options; anything else that is a
# program on PATH (sh, python3, ...) runs as it is, for debugging inside the container.
case "$1" in
    -*) exec jobsai "$@" ;;
esac
if command -v "$1" >/dev/null 2>&1; then
    exec "$@"
fi
exec jobsai "$@"
