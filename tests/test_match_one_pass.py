"""One match reads each thing once: one ad lookup, one ``cv_texts``, one index search that carries
the BM25 query (issue 10).

The counts are taken on the real parts (the demo store, the Qdrant Edge index, the text functions)
through thin counting wrappers, for the web service's match and re-rank and for the matcher the
CLI calls. A second lookup of the shown ads, a second parse of the CV for its title line, or a
BM25 search besides the one in ``search_candidates`` would each fail here. Inside that one call the
engine runs the BM25 query twice, as a prefetch of its fusion and for BM25's own list: measured
faster than handing every list's hits to Python (see ``index.base.Candidates``).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pytest

from jobsai.embed import text as embed_text
from jobsai.index.base import Candidates, Hit, SearchFilter, SparseVector, VectorIndex
from jobsai.match.filters import FilterInput
from jobsai.match.matcher import Matcher
from jobsai.runtime import Runtime
from jobsai.web.service import WebService

from support.web import CV_NURSE, CV_WAREHOUSE

pytest_plugins = ["web_fixtures"]


class CountingIndex:
    """The real index, with its BM25 searches counted (any method that runs the sparse query)."""

    def __init__(self, real: VectorIndex, counts: Counter[str]) -> None:
        self._real = real
        self._counts = counts

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def search_sparse(self, vector: SparseVector, limit: int, flt: SearchFilter | None = None) -> list[Hit]:
        self._counts["bm25"] += 1
        return self._real.search_sparse(vector, limit, flt)

    def search_candidates(
        self, dense: Sequence[tuple[str, np.ndarray]], sparse: SparseVector | None, limit: int,
        flt: SearchFilter | None = None,
    ) -> Candidates:
        self._counts["bm25"] += int(sparse is not None and bool(sparse.indices))
        return self._real.search_candidates(dense, sparse, limit, flt)

    def search_hybrid(self, dense: Any, sparse: SparseVector | None, *args: Any, **kwargs: Any) -> list[Hit]:
        self._counts["bm25"] += int(sparse is not None and bool(sparse.indices))
        return self._real.search_hybrid(dense, sparse, *args, **kwargs)


def _counted(fn: Callable[..., Any], counts: Counter[str], key: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        counts[key] += 1
        return fn(*args, **kwargs)

    return wrapper


@pytest.fixture
def counts(web_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts of ad lookups (``lookup``), CV parses (``cv_texts``) and BM25 searches (``bm25``)."""
    found: Counter[str] = Counter()
    original = embed_text.cv_texts
    for module in [m for name, m in sys.modules.items() if name.startswith("jobsai")]:
        if getattr(module, "cv_texts", None) is original:
            monkeypatch.setattr(module, "cv_texts", _counted(original, found, "cv_texts"))
    monkeypatch.setattr(web_runtime, "lookup_ads", _counted(web_runtime.lookup_ads, found, "lookup"))
    return found


def _count_through(matcher: Matcher, runtime: Runtime, counts: Counter[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matcher, "lookup", runtime.lookup_ads)  # the counted one
    monkeypatch.setattr(matcher, "index", CountingIndex(matcher.index, counts))


@pytest.fixture
def service(web_runtime: Runtime) -> Iterator[WebService]:
    settings = web_runtime.settings.model_copy(update={"web_rate_limit_per_min": 100_000.0})
    svc = WebService(settings)
    svc.start(runtime=web_runtime, background=False)
    try:
        yield svc
    finally:
        svc.stop()


def test_a_web_match_looks_up_parses_and_searches_bm25_once(
    service: WebService, web_runtime: Runtime, counts: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert service._matcher is not None
    _count_through(service._matcher, web_runtime, counts, monkeypatch)
    cv = service.paste_cv(CV_NURSE)
    counts.clear()
    outcome = service.match(cv, FilterInput(), 10)
    assert len(outcome.cards) == 10 and outcome.title
    assert counts == Counter(lookup=1, cv_texts=1, bm25=1)
    # every card carries the ad it was ranked with: nothing left to look up to show it
    assert all(card.result.ad.id == card.ad.id and card.excerpt for card in outcome.cards)

    counts.clear()
    again = service.rematch(outcome.ref, FilterInput(published_within_days=365), 20)
    assert len(again.cards) == 20 and again.title == outcome.title
    assert counts == Counter(lookup=1, bm25=1)  # the session's CV is not parsed again


def test_the_matcher_the_cli_calls_looks_up_parses_and_searches_bm25_once(
    web_runtime: Runtime, counts: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    matcher = web_runtime.matcher
    _count_through(matcher, web_runtime, counts, monkeypatch)
    counts.clear()
    results = matcher.match(CV_WAREHOUSE, top_k=15)
    assert len(results) == 15
    assert counts == Counter(lookup=1, cv_texts=1, bm25=1)
    assert all(r.cv is results[0].cv for r in results)  # parsed once, carried by every result
    assert results[0].cv.headline == "Lagerarbetare och truckförare"
