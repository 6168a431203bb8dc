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
# Tests that drive real tools take Debian's: chromium for the browser tests (never a downloaded
# browser), redis-server for replicas sharing state, caddy and docker-compose for the deploy files.
# Install the missing ones when we can; otherwise those tests are skipped and say why.
missing=""
for tool in chromium:/usr/bin/chromium redis-server:redis-server caddy:caddy docker-compose:docker-compose; do
    command -v "${tool#*:}" >/dev/null || missing="$missing ${tool%%:*}"
done
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing$missing for the tests that drive them (1-2 min)" >&2
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing; } >&2 \
        || echo "test.sh: could not install$missing; the tests that need them will be skipped" >&2
fi
ruff check src tests bench scripts
mypy
python -m pytest -q -p no:cacheprovider "$@"
