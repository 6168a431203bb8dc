#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 cluster for the storage tests and print how to use it.
#
#   eval "$(.ci/start-postgres.sh)"     # exports JOBSAI_TEST_POSTGRES_URL
#   pytest tests/test_store_*.py        # now also runs the PostgreSQL half
#   .ci/start-postgres.sh --stop        # stop it and delete its files
#
# Data directory and socket live in a fresh mktemp directory; the server listens on
# 127.0.0.1 only, port 5433 (or the next free one), with trust authentication. Running it
# again while the cluster is up just prints the exports again. Only stdout carries the
# export lines (progress goes to stderr), so `eval` is safe.
# Environment: PG_BIN (default /usr/lib/postgresql/15/bin), PGPORT_START (default 5433).
set -euo pipefail

BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
STATE=${TMPDIR:-/tmp}/jobsai-test-postgres.state
DB=jobsai_test

say() { echo "start-postgres: $*" >&2; }

as_pg() {
    # Run a server binary as the postgres user when we are root (initdb refuses root).
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

print_exports() {
    # shellcheck disable=SC1090
    . "$STATE"
    echo "export JOBSAI_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:${PORT}/${DB}"
    echo "# stop with: $0 --stop   (or: $( [ "$(id -u)" = 0 ] && echo 'runuser -u postgres -- ')$BIN/pg_ctl -D $DATA -m fast stop)"
}

running() {
    [ -f "$STATE" ] || return 1
    # shellcheck disable=SC1090
    . "$STATE"
    [ -d "$DATA" ] && as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

stop() {
    if [ -f "$STATE" ]; then
        # shellcheck disable=SC1090
        . "$STATE"
        if [ -d "${DATA:-}" ]; then
            as_pg "$BIN/pg_ctl" -D "$DATA" -m fast stop >&2 || true
        fi
        [ -n "${ROOT:-}" ] && rm -rf "$ROOT"
        rm -f "$STATE"
        say "stopped"
    else
        say "no cluster started by this script is recorded in $STATE"
    fi
}

if [ "${1:-}" = "--stop" ]; then
    stop
    exit 0
fi

if [ ! -x "$BIN/initdb" ]; then
    say "PostgreSQL binaries not found in $BIN (set PG_BIN)"
    exit 1
fi

if running; then
    say "already running (state in $STATE)"
    print_exports
    exit 0
fi
# A stale state file (cluster gone): clean it up and start over.
[ -f "$STATE" ] && stop

PORT=${PGPORT_START:-5433}
for _ in $(seq 1 100); do
    port_in_use "$PORT" || break
    PORT=$((PORT + 1))
done
if port_in_use "$PORT"; then
    say "no free port found from ${PGPORT_START:-5433}"
    exit 1
fi

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/jobsai-pg.XXXXXX")
trap 'say "failed; see $SOCK/server.log"; cat "$SOCK/server.log" >&2 2>/dev/null || true; rm -rf "$ROOT"' ERR
DATA=$ROOT/data
SOCK=$ROOT/sock
mkdir -p "$DATA" "$SOCK"
chmod 755 "$ROOT"
if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$DATA" "$SOCK"
fi
chmod 700 "$DATA"

say "initdb in $DATA"
as_pg "$BIN/initdb" -D "$DATA" -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8 >/dev/null
say "starting on 127.0.0.1:$PORT"
as_pg "$BIN/pg_ctl" -D "$DATA" -l "$SOCK/server.log" -w \
    -o "-p $PORT -k $SOCK -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >&2
printf 'ROOT=%q\nDATA=%q\nPORT=%q\n' "$ROOT" "$DATA" "$PORT" >"$STATE"

as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
    || as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
trap - ERR
say "database $DB ready (log: $SOCK/server.log)"
print_exports
