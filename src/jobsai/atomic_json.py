"""Write a JSON file so that a reader sees the old content or the new, never half of it.

Why one helper: index identity records, per-index metadata and the weights-hash cache were
each written with their own copy of "temporary file, fsync, rename". The temporary file is
unique per process and thread, so two writers racing on one path cannot tear each other's
temporary file either; the last rename wins.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any


def write_json_atomic(path: Path, data: Any, *, indent: int | None = 2) -> None:
    """Replace ``path`` with ``data`` as JSON (parent folders are created); raises OSError."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=indent)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
