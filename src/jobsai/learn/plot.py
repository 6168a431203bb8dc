"""A PNG of metrics per model version over time (for ``jobsai models plot`` and the admin page)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

SERIES = (("feedback", "held-out feedback"), ("project", "project benchmark"), ("eval-dev", "eval-dev"))
MARKERS = {"champion": "*", "retired": "o", "rejected": "x", "candidate": "."}


def plot_models(records: Sequence[Any], path: Path, metric: str = "ndcg@10") -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
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
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path
