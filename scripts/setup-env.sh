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
stamp=.venv/.jobsai-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements.lock -nt "$stamp" ]; then
    python -m pip install -q --upgrade pip
    python -m pip install -q "torch==2.13.0"
    if ! python -m pip install -q -r requirements.lock; then
        echo "setup-env: could not install requirements.lock here; resolving from pyproject.toml instead" >&2
    fi
    python -m pip install -q -e ".[test]"
    if [ pyproject.toml -nt requirements.lock ]; then
        echo "setup-env: pyproject.toml is newer than requirements.lock: run bash scripts/update-lock.sh" >&2
    fi
    touch "$stamp"
fi
