"""``jobsai-model.json``: what a model folder says about itself (prefixes, score curve, origin).

Why here: the built-in conversion and training both write this card and serving reads it back
(query/passage prefixes, the trained model's match-score curve). Its name and its reading live
in this one module so that the writers and the reader cannot drift apart. It describes a
model, never which model serves: that is the index catalog's (``index/catalog.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MARKER_FILE = "jobsai-model.json"


def read_model_card(folder: Path | None) -> dict[str, Any] | None:
    """The card in ``folder``, or None when there is none or it is unreadable."""
    if folder is None:
        return None
    try:
        data = json.loads((Path(folder) / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_model_card(folder: Path, card: dict[str, Any]) -> None:
    """Write the card into a model folder that is still being built (published by a rename later)."""
    (Path(folder) / MARKER_FILE).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
