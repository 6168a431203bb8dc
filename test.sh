#!/usr/bin/env bash
# Quick start, command 2: set up and run the whole test suite (lint + tests, SQLite and PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup-env.sh
. .venv/bin/activate
stop_pg=""
if [ -z "${JOBSAI_TEST_POSTGRES_URL:-}" ] && [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    eval "$(bash .ci/start-postgres.sh)"
    stop_pg=1
fi
cleanup() { [ -n "$stop_pg" ] && bash .ci/start-postgres.sh --stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
# The browser test drives Debian's chromium (never a downloaded browser); install it when we can.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing chromium for the browser test (1-2 min)" >&2
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } >&2 \
        || echo "test.sh: could not install chromium; the browser test will be skipped" >&2
fi
ruff check src tests bench scripts
mypy
python -m pytest -q -p no:cacheprovider "$@"
