#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment in .venv with everything installed.
# torch is pinned to 2.13.0 and installed first, so pip never pulls a multi-GB CUDA build
# into a CPU machine (see docs in README, "Installing"). Then requirements.lock pins every
# other dependency to the versions the tests ran with (regenerate it: bash scripts/update-lock.sh),
# and `pip install -e ".[test]"` adds whatever pyproject.toml gained since the lock was made
# (pip keeps the locked versions when they satisfy it), so a missing pin never breaks an install.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
. .venv/bin/activate
# The package index is reached over the network, which drops connections: pip retries a
# connection and resumes a broken download itself (PIP_* below), and when a whole install still
# fails it is tried again after a pause (JOBSAI_PIP_WAITS, seconds), since what it already
# fetched stays in pip's cache and a fault that lasts a minute is the common case.
export PIP_RETRIES=${PIP_RETRIES:-10} PIP_TIMEOUT=${PIP_TIMEOUT:-60}
export PIP_RESUME_RETRIES=${PIP_RESUME_RETRIES:-10}
pip_install() {
    local wait
    for wait in ${JOBSAI_PIP_WAITS:-15 60 180} last; do
        python -m pip install -q "$@" && return 0
        [ "$wait" = last ] && return 1
        echo "setup-env: 'pip install $*' failed; trying again in ${wait} s" >&2
        sleep "$wait"
    done
}
stamp=.venv/.jobsai-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements.lock -nt "$stamp" ]; then
    pip_install --upgrade pip
    pip_install "torch==2.13.0"
    if ! pip_install -r requirements.lock; then
        echo "setup-env: could not install requirements.lock here; resolving from pyproject.toml instead" >&2
    fi
    pip_install -e ".[test]"
    if [ pyproject.toml -nt requirements.lock ]; then
        echo "setup-env: pyproject.toml is newer than requirements.lock: run bash scripts/update-lock.sh" >&2
    fi
    touch "$stamp"
fi
