"""CV text in, ranked and explained ads out. No HTTP, no files: the CLI and the web call this.

Retrieval runs inside the index (filters included): the CV's profile, chunks and headline
query the ad vectors, BM25 queries the keyword index (once: its list also gives the candidates'
BM25 scores), and the lists are fused by reciprocal rank into a candidate set. The candidates are
then scored exactly (``match.scoring``) from their stored vectors, calibrated to a 0–100 match
score, and the shown ones are looked up once and explained: a :class:`MatchResult` carries its
``Ad`` and the CV's texts, and how it is shown (a summary, the ``why``) is ``web.render``'s job.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Protocol

import numpy as np

from jobsai.embed.text import CVTexts, cv_texts
from jobsai.errors import NoDataError, TextTooShortError
from jobsai.index.base import BODY_VECTOR, TITLE_VECTOR, SearchFilter, SparseVector, VectorIndex
from jobsai.index.bm25 import Bm25Encoder
from jobsai.match.corpus import CorpusSource
from jobsai.match.explain import Explainer, Explanation, short_passage
from jobsai.match.scoring import (
    DEFAULT_CALIBRATION,
    DEFAULT_WEIGHTS,
    Calibration,
    CvVectors,
    Weights,
    compute_features,
    fuse,
)
from jobsai.sources.ads import Ad

MAX_TOP_K = 200
CANDIDATES = 300
"""Candidates re-scored exactly per query; the fused lists are deep enough that a relevant
ad ranked low by one signal is still rescued by another."""


class QueryEncoder(Protocol):
    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...


class AdLookup(Protocol):
    def __call__(self, ids: Sequence[str]) -> dict[str, Ad]: ...


@dataclass(frozen=True, slots=True)
class MatchResult:
    """One ranked ad: the ad as loaded for ranking, its score, and the evidence for it.

    Why the whole ``Ad`` and the CV's texts: whoever shows a result (API, UI, CLI) reads them from
    here instead of looking the ad up again or parsing the CV again; how an ad is summarised for
    display is decided once, in ``web.render.ad_summary``.
    """

    ad: Ad
    score: int
    """Calibrated match score, 0–100."""
    raw_score: float
    explanation: Explanation
    """The evidence: the ad's skills in the CV and to add, shared rare words, the closest part of the CV."""
    cv: CVTexts = field(repr=False, compare=False)
    """The CV's texts as the matcher parsed them (the ones explanations may show; its title line)."""

    @property
    def id(self) -> str:
        return self.ad.id


@dataclass(frozen=True, slots=True)
class PreparedCV:
    """A CV made ready to rank: its texts, their vectors and its BM25 query (encoding done once).

    Why: the web app re-ranks a person's CV under new filters or for more results, and must not
    keep the CV's text to do so. ``vectors`` (of the original ``texts.query_texts()``) and
    ``sparse`` are what ranking reads; ``texts`` (its layout: how many chunks, a title line or
    not) and ``text`` are what explanations and passages show, which a caller may have redacted.
    """

    texts: CVTexts
    vectors: np.ndarray
    sparse: SparseVector
    text: str = field(repr=False)

    @property
    def nbytes(self) -> int:
        """Memory held, roughly: the arrays plus the UTF-8 size of every text."""
        strings = [self.text, *(v for v in _text_values(self.texts))]
        return int(self.vectors.nbytes) + 12 * len(self.sparse.indices) + sum(len(s.encode()) for s in strings)


def _text_values(texts: CVTexts) -> list[str]:
    out: list[str] = []
    for f in fields(texts):
        value = getattr(texts, f.name)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, tuple):
            out.extend(v for v in value if isinstance(v, str))
    return out


def _map_texts(texts: CVTexts, fn: Callable[[str], str]) -> CVTexts:
    """``texts`` with ``fn`` applied to every text in it; the layout (chunk count, which texts exist) is kept."""
    changes: dict[str, Any] = {}
    for f in fields(texts):
        value = getattr(texts, f.name)
        if isinstance(value, str):
            changes[f.name] = fn(value)
        elif isinstance(value, tuple):
            changes[f.name] = tuple(fn(v) if isinstance(v, str) else v for v in value)
    return replace(texts, **changes)


class _Laps:
    """Tells ``observer`` the time since the previous lap, per stage (nothing without an observer)."""

    __slots__ = ("_observer", "_last")

    def __init__(self, observer: Callable[[str, float], None] | None) -> None:
        self._observer = observer
        self._last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        if self._observer is not None:
            now = time.perf_counter()
            self._observer(stage, now - self._last)
            self._last = now


class Matcher:
    """Holds the shared, read-only parts (model, index, analyzer); safe to reuse across requests."""

    observer: Callable[[str, float], None] | None = None
    """Told how long each stage took: ``encode``, ``search``, ``rescore``, ``explain`` (the web app's metrics).
    It only times: results are the same with or without it."""

    def __init__(
        self,
        encoder: QueryEncoder,
        index: VectorIndex,
        lookup: AdLookup,
        bm25: Bm25Encoder,
        weights: Weights = DEFAULT_WEIGHTS,
        calibration: Calibration = DEFAULT_CALIBRATION,
        min_words: int = 20,
        corpus: CorpusSource | None = None,
    ) -> None:
        """``corpus``: the live ads' texts, for how rare a shared word is (explanations); without
        it only the stop words filter the shared words."""
        self.encoder = encoder
        self.index = index
        self.lookup = lookup
        self.bm25 = bm25
        self.weights = weights
        self.calibration = calibration
        self.min_words = min_words
        self.explainer = Explainer(bm25, corpus)

    def prepare(self, cv_text: str, *, public: Callable[[str], str] | None = None) -> PreparedCV:
        """Encode a CV once for :meth:`rank_prepared` / :meth:`match_prepared` (see :class:`PreparedCV`).

        ``public``: what explanations and passages may show of the text (the web app redacts);
        the vectors and the BM25 query are always made from ``cv_text`` itself.
        """
        if len(cv_text.split()) < self.min_words:
            raise TextTooShortError(
                f"The CV text has fewer than {self.min_words} words; add your experience and skills."
            )
        laps = _Laps(self.observer)
        texts = cv_texts(cv_text)
        vectors = self.encoder.encode_queries(texts.query_texts())
        sparse = self.bm25.embed_query(cv_text)
        laps("encode")
        if public is None:
            return PreparedCV(texts, vectors, sparse, cv_text)
        return PreparedCV(_map_texts(texts, public), vectors, sparse, public(cv_text))

    def rank(
        self, cv_text: str, flt: SearchFilter | None = None, limit: int = CANDIDATES
    ) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
        """Ranked candidate ids with fused scores, plus each one's best CV passage.

        Returns (ids, fused, order-aligned best-chunk index, the CV chunk texts).
        """
        return self.rank_prepared(self.prepare(cv_text), flt, limit)

    def rank_prepared(
        self, prepared: PreparedCV, flt: SearchFilter | None = None, limit: int = CANDIDATES
    ) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
        """:meth:`rank` for a CV encoded by :meth:`prepare` (a new filter needs no new encoding)."""
        laps = _Laps(self.observer)
        texts = prepared.texts
        cv = CvVectors.split(texts, prepared.vectors)
        sparse = prepared.sparse
        dense_queries = [(BODY_VECTOR, cv.profile), *((TITLE_VECTOR, q) for q in cv.title_queries())]
        found = self.index.search_candidates(dense_queries, sparse, limit, flt)
        hits = found.fused
        if not hits:
            laps("search")
            return [], np.zeros(0), np.zeros(0, dtype=int), list(texts.chunks)
        ids = [h.ad_id for h in hits]
        bm25_by_id = {h.ad_id: h.score for h in found.sparse}
        stored = self.index.get_vectors(ids)
        laps("search")
        ids = [i for i in ids if i in stored]
        titles = np.stack([stored[i][TITLE_VECTOR] for i in ids])
        bodies = np.stack([stored[i][BODY_VECTOR] for i in ids])
        bm25 = np.array([bm25_by_id.get(i, 0.0) for i in ids], dtype=np.float32)
        feats = compute_features(cv, titles, bodies, bm25)
        fused = fuse(feats, self.weights)
        order = np.argsort(-fused, kind="stable")
        laps("rescore")
        return [ids[i] for i in order], fused[order], feats.best_chunk[order], list(texts.chunks)

    def match(
        self, cv_text: str, flt: SearchFilter | None = None, top_k: int = 10
    ) -> list[MatchResult]:
        """The ``top_k`` best ads for a CV, best first, each with a score and a reason."""
        if top_k < 1 or top_k > MAX_TOP_K:
            raise ValueError(f"top_k must be between 1 and {MAX_TOP_K}")
        return self.match_prepared(self.prepare(cv_text), flt, top_k)

    def match_prepared(
        self, prepared: PreparedCV, flt: SearchFilter | None = None, top_k: int = 10
    ) -> list[MatchResult]:
        """:meth:`match` for a CV encoded by :meth:`prepare`; explanations read ``prepared.text``."""
        if top_k < 1 or top_k > MAX_TOP_K:
            raise ValueError(f"top_k must be between 1 and {MAX_TOP_K}")
        ids, fused, best, chunks = self.rank_prepared(prepared, flt, limit=max(CANDIDATES, top_k))
        if not ids and self.index.count() == 0:  # counted only then: an exact count costs ms per query
            raise NoDataError("There are no ads in the index yet; run `jobsai update` or `jobsai load`.")
        ids, fused, best = ids[:top_k], fused[:top_k], best[:top_k]
        laps = _Laps(self.observer)
        ads = self.lookup(ids)
        keep = [k for k, i in enumerate(ids) if i in ads]  # an ad removed a moment ago is skipped
        shown = [ads[ids[k]] for k in keep]
        passages = [short_passage(chunks[int(best[k])]) if chunks else "" for k in keep]
        explanations = self.explainer.explain(prepared.text, shown, passages)
        scores = self.calibration.percents(fused)
        results = [
            MatchResult(
                ad=ad,
                score=int(scores[k]),
                raw_score=float(fused[k]),
                explanation=ex,
                cv=prepared.texts,
            )
            for k, ad, ex in zip(keep, shown, explanations, strict=True)
        ]
        laps("explain")
        return results
