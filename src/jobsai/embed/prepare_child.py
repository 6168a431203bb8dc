"""Preparing a model for encoding in a child process: the built-in model's one-time conversion
and the ONNX export an export backend runs.

Why: both need torch, transformers and sentence-transformers, and exporting holds the model
twice over (~2 GB resident for a minute). Done in the process that asked, that memory stays
with it for its life: a first ``jobsai serve`` sat at 2.1 GB where a second one sat at 0.6 GB.
Done in a child that exits, the process that asked (a bootstrap, a web server) opens the
finished export without the model (``embed/export_tokenizer.py``) from its first run on.

When the child fails for any reason the caller loads the model in-process as before, which
reports the real error (or falls back to torch); nothing here decides what serves.

    python -m jobsai.embed.prepare_child < request.json
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from typing import Any

from jobsai.config import Settings

log = logging.getLogger(__name__)

PREPARE_TIMEOUT_S = 1800.0
"""A conversion plus an export takes ~1-2 minutes on two cores; a child that hangs is given up on."""

_FIELDS = ("data_dir", "embed_precision", "embed_threads", "embed_batch_size", "embed_batch_tokens")


def request_for(settings: Settings, spec: str, backend: str) -> dict[str, Any]:
    """What the child needs (no secrets: the database URL and keys stay behind)."""
    values = {name: getattr(settings, name) for name in _FIELDS}
    values["data_dir"] = str(settings.data_dir)
    values["model_cache_dir"] = str(settings.resolved_model_cache_dir)
    return {"settings": values, "spec": spec, "backend": backend}


def prepare_in_child(settings: Settings, spec: str, backend: str, *, timeout_s: float = PREPARE_TIMEOUT_S) -> bool:
    """Convert and export ``spec`` for ``backend`` in a child process; True when it finished."""
    started = time.perf_counter()
    log.info("Preparing the embedding model's %s export in a child process (once per model; a minute or two).",
             backend)
    try:
        request = json.dumps(request_for(settings, spec, backend))
        done = subprocess.run(
            [sys.executable, "-m", "jobsai.embed.prepare_child"], input=request, capture_output=True, text=True,
            timeout=timeout_s, env=os.environ.copy(), check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("The model could not be prepared in a child process (%s); preparing it here.", exc)
        return False
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        log.warning("Preparing the model in a child process failed (exit %d: %s); preparing it here.",
                    done.returncode, tail[-600:])
        return False
    log.info("The embedding model's export is ready (%.0f s in a child process).", time.perf_counter() - started)
    return True


def main() -> int:
    """Child side: load the model the normal way, in-process, which converts and exports it."""
    from jobsai.embed.model import Embedder
    from jobsai.embed.model_ref import ModelRef

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    request = json.load(sys.stdin)
    settings = Settings(**request["settings"], device="cpu", embed_quantize=False, query_backend="auto")
    embedder = Embedder.load(settings, model=ModelRef(request["spec"], request["backend"]), export_in_child=False)
    print(json.dumps({"backend": embedder.backend}))
    return 0 if embedder.backend == request["backend"] else 3


if __name__ == "__main__":
    sys.exit(main())
