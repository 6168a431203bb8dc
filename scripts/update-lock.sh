#!/usr/bin/env bash
# Regenerate requirements.lock: every dependency of jobsai (and its [test] extra) pinned, for
# CPython 3.11+ on Linux x86-64, resolved by uv from pyproject.toml.
#   bash scripts/update-lock.sh            (uses $UV, else uv on PATH, else a throwaway venv with uv)
# torch is left out of the lock, and so are the CUDA packages it pulls on Linux (nvidia-*, cuda-*,
# triton): scripts/setup-env.sh installs torch==2.13.0 first, whichever build the machine's index
# gives (a CPU build on a CPU machine), and the lock must not drag a multi-GB GPU stack in after it.
set -euo pipefail
cd "$(dirname "$0")/.."
uv_bin=${UV:-$(command -v uv || true)}
if [ -z "$uv_bin" ]; then
    tool=$(mktemp -d)
    trap 'rm -rf "$tool"' EXIT
    python3 -m venv "$tool/venv"
    "$tool/venv/bin/python" -m pip install -q uv
    uv_bin="$tool/venv/bin/uv"
fi
raw=$(mktemp)
"$uv_bin" pip compile pyproject.toml --extra test --python-version 3.11 \
    --python-platform x86_64-unknown-linux-gnu --no-header --no-annotate --quiet -o "$raw"
{
    cat <<'HEADER'
# requirements.lock: the exact versions ./run.sh and ./test.sh install (CPython 3.11+, Linux x86-64).
# Generated from pyproject.toml by `bash scripts/update-lock.sh` (uv pip compile, --extra test);
# do not edit by hand: change pyproject.toml, then run that script and commit both files.
# torch is not here (scripts/setup-env.sh installs torch==2.13.0 first), nor the CUDA packages
# only torch needs. Install: pip install -r requirements.lock && pip install --no-deps -e .
HEADER
    grep -v -E '^(torch|triton|nvidia-[a-z0-9-]+|cuda-[a-z0-9-]+)==' "$raw"
} > requirements.lock
rm -f "$raw"
echo "requirements.lock: $(grep -c '==' requirements.lock) pinned packages"
