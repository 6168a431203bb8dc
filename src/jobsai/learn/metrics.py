"""Ranking metrics, the same definitions as ``../shared/eval-dev/score.py``.

* nDCG@k: gain ``2^grade - 1``, discount ``1/log2(rank + 1)``; the ideal DCG takes the k best
  grades of the whole pool (not only of the submitted list).
* MRR: mean of ``1 / rank`` of the first item with grade >= ``wanted`` (0 if none).
* Recall@k: items with grade >= ``wanted`` in the top k / all such items in the pool.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence


def dcg(grades: Sequence[float], k: int) -> float:
    return sum((2.0**g - 1.0) / math.log2(rank + 1) for rank, g in enumerate(grades[:k], start=1))


def ndcg_at_k(ranked: Sequence[float], pool: Iterable[float], k: int = 10) -> float:
    ideal = dcg(sorted(pool, reverse=True), k)
    return dcg(ranked, k) / ideal if ideal > 0 else 0.0


def reciprocal_rank(ranked: Sequence[float], wanted: float = 3) -> float:
    for rank, g in enumerate(ranked, start=1):
        if g >= wanted:
            return 1.0 / rank
    return 0.0


def recall_at_k(ranked: Sequence[float], pool: Iterable[float], k: int = 10, wanted: float = 2) -> float:
    relevant = sum(1 for g in pool if g >= wanted)
    if relevant == 0:
        return 0.0
    return sum(1 for g in ranked[:k] if g >= wanted) / relevant


def ranking_metrics(
    ranked: Sequence[float], pool: Sequence[float], *, k: int = 10, rr_wanted: float = 3, recall_wanted: float = 2
) -> dict[str, float]:
    """nDCG@k, RR and Recall@k of one ranked list against its pool of grades."""
    return {
        f"ndcg@{k}": ndcg_at_k(ranked, pool, k),
        "mrr": reciprocal_rank(ranked, rr_wanted),
        f"recall@{k}": recall_at_k(ranked, pool, k, recall_wanted),
    }


def mean_metrics(per_query: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """The mean of each metric over queries (empty input -> empty dict); adds ``n``."""
    if not per_query:
        return {}
    keys = per_query[0].keys()
    out = {key: sum(m[key] for m in per_query) / len(per_query) for key in keys}
    out["n"] = float(len(per_query))
    return out
