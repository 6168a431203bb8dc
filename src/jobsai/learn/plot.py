"""A PNG of metrics per model version over time (for ``jobsai models plot`` and the admin page).

Drawn with matplotlib's object API (a ``Figure`` with its own Agg canvas), never ``pyplot``:
pyplot keeps global state, and the web app renders this in worker threads.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SERIES = (("feedback", "held-out feedback"), ("project", "project benchmark"), ("eval-dev", "eval-dev"))
MARKERS = {"champion": "*", "retired": "o", "rejected": "x", "candidate": "."}


def render_models_png(records: Sequence[Any], metric: str = "ndcg@10") -> bytes:
    """The plot as PNG bytes; ``records`` are registry rows (``created_at``, ``status``, ``metrics``)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    xs = [r.created_at for r in records]
    for key, label in SERIES:
        ys = [r.metrics.get("challenger", {}).get(key, {}).get(metric) for r in records]
        pts = [(x, y, r.status) for x, y, r in zip(xs, ys, records, strict=True) if y is not None]
        if not pts:
            continue
        line = ax.plot([p[0] for p in pts], [p[1] for p in pts], label=label)[0]
        for x, y, status in pts:
            ax.scatter([x], [y], marker=MARKERS.get(status, "."), color=line.get_color(), s=60)
    for r in records:
        ax.annotate(r.version, (r.created_at, 0), fontsize=6, rotation=90, va="bottom")
    ax.set_ylabel(metric)
    ax.set_ylim(0, 1)
    ax.set_title(f"{metric} per model version (* champion, o retired, x rejected)")
    if records:
        ax.legend(loc="upper left", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def plot_models(records: Sequence[Any], path: Path, metric: str = "ndcg@10") -> Path:
    """Write the plot to ``path`` (parent folders are created)."""
    data = render_models_png(records, metric)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
