#!/usr/bin/env bash
# Quick start, command 1: set up and run JobsAI.
#   ./run.sh                      match the example CV (fetches JobStream, or uses the demo set offline)
#   ./run.sh match my-cv.pdf      any jobsai command
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup-env.sh
. .venv/bin/activate
if [ "$#" -eq 0 ]; then
    set -- match examples/cv-underskoterska-sv.txt --top-k 10
fi
exec jobsai "$@"
