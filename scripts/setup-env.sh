#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment in .venv with everything installed.
# torch is pinned to 2.13.0 and installed first, so pip never pulls a multi-GB CUDA build
# into a CPU machine (see docs in README, "Installing").
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
. .venv/bin/activate
stamp=.venv/.jobsai-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    python -m pip install -q --upgrade pip
    python -m pip install -q "torch==2.13.0"
    python -m pip install -q -e ".[test]"
    touch "$stamp"
fi
