#!/usr/bin/env bash
# Quick start, command 1: set up and run JobsAI.
#   ./run.sh                      start the web app on http://127.0.0.1:7860 (JobStream, or the demo set offline)
#   ./run.sh match my-cv.pdf      any jobsai command
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup-env.sh
. .venv/bin/activate
if [ "$#" -eq 0 ]; then
    set -- serve
fi
exec jobsai "$@"
