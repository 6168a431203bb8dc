"""The vector-index contract shared by the embedded (Qdrant Edge) and server backends.

The index is derived data: it can always be rebuilt from the SQL store. It stores one point
per ad (a dense vector of the ad's representation text plus a BM25 sparse vector) with the
payload fields that filters use. Each index records the model that built it; opening it
with any other model is refused.
"""

from __future__ import annotations

import contextlib
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

import numpy as np

from jobsai.embed.fingerprint import FP32_VECTORS, ModelFingerprint
from jobsai.embed.text import AD_TEXT_VERSION
from jobsai.errors import IndexModelMismatchError, JobsAIError, VectorIndexError
from jobsai.index.filters import FILTERS_BY_NAME, ConceptValues
from jobsai.timeutil import ensure_utc

TITLE_VECTOR = "title"
BODY_VECTOR = "body"
DENSE_VECTORS: tuple[str, ...] = (TITLE_VECTOR, BODY_VECTOR)
"""Named dense vectors of every point (see ``embed.text``: what each one represents)."""

T = TypeVar("T")

POINT_NAMESPACE = uuid.UUID("6f1c3a52-2d4b-4e8a-9a57-1c0de5a1b0b5")


def point_id(ad_id: str) -> str:
    """Qdrant point ids must be integers or UUIDs; ad ids are arbitrary strings."""
    return str(uuid.uuid5(POINT_NAMESPACE, ad_id))


@dataclass(frozen=True, slots=True)
class SparseVector:
    indices: Sequence[int]
    values: Sequence[float]


@dataclass(frozen=True, slots=True)
class AdPayload:
    """Filterable fields (concept ids) plus the ad id; published as epoch seconds (UTC)."""

    ad_id: str
    municipality: str | None = None
    region: str | None = None
    country: str | None = None
    occupation: str | None = None
    occupation_group: str | None = None
    occupation_field: str | None = None
    employment_type: str | None = None
    working_hours_type: str | None = None
    published_ts: int | None = None


@dataclass(frozen=True, slots=True)
class IndexPoint:
    payload: AdPayload
    dense: Mapping[str, np.ndarray]
    """One vector per name in ``DENSE_VECTORS``: the ad's title text and its body text."""
    sparse: SparseVector
    """BM25 term-frequency vector; the index applies IDF at query time."""
    text: str = ""


class SearchFilter(ConceptValues):
    """OR within a filter, AND across filters. Values are taxonomy concept ids, given by filter name
    (:data:`~jobsai.index.filters.FILTERS`): ``SearchFilter(municipalities=("id",), published_after=t)``."""

    __slots__ = ("published_after",)

    def __init__(self, *, published_after: datetime | None = None, **concepts: Iterable[str]) -> None:
        super().__init__(concepts)
        self.published_after = published_after

    def _key(self) -> tuple[object, ...]:
        return (*super()._key(), self.published_after)

    def __repr__(self) -> str:
        parts = [f"{k}={v!r}" for k, v in self.concepts.items()]
        if self.published_after is not None:
            parts.append(f"published_after={self.published_after!r}")
        return f"SearchFilter({', '.join(parts)})"

    def is_empty(self) -> bool:
        return not self.concepts and self.published_after is None

    def field_conditions(self) -> list[tuple[str, tuple[str, ...]]]:
        """(payload key, allowed values) pairs for the concept filters that are set."""
        return [(FILTERS_BY_NAME[name].payload_key, values) for name, values in self.concepts.items()]


@dataclass(frozen=True, slots=True)
class Hit:
    ad_id: str
    score: float


@dataclass(frozen=True, slots=True)
class Candidates:
    """What a match's hybrid search found: the dense lists and BM25's fused by reciprocal rank in the
    engine (best first), and BM25's own list with its scores, which re-scoring reads.

    Why fused in the engine, although the BM25 query then runs twice (once as one of the fusion's
    prefetches, once for its own list): each hit handed to Python costs more than that query. At
    50,000 ads a CV's 8 dense lists and BM25's, 300 deep, took 27-28 ms when all 2,700 hits came
    back to be fused in Python, and 17-18 ms as the 300 fused hits plus the 300 BM25 hits (the BM25
    query itself ~3 ms; ``bench/match_speed.py``). Same candidates, same scores; equal scores in ad id
    order (:data:`TIE_MARGIN`).
    """

    fused: tuple[Hit, ...]
    sparse: tuple[Hit, ...]


class VectorIndex(ABC):
    """What the rest of the program may ask of an index."""

    fingerprint: ModelFingerprint

    @abstractmethod
    def upsert(self, points: Sequence[IndexPoint]) -> None:
        """Insert or replace points (idempotent: keyed by ad id)."""

    @abstractmethod
    def delete(self, ad_ids: Iterable[str]) -> None:
        """Remove ads; unknown ids are ignored."""

    @abstractmethod
    def search_dense(
        self, vector: np.ndarray, limit: int, flt: SearchFilter | None = None, using: str = TITLE_VECTOR
    ) -> list[Hit]:
        """Nearest ads by cosine similarity to the named vector, filters applied inside the index."""

    @abstractmethod
    def search_sparse(
        self, vector: SparseVector, limit: int, flt: SearchFilter | None = None
    ) -> list[Hit]:
        """BM25 ranking (IDF applied by the index), filters applied inside the index."""

    def search_hybrid(
        self,
        dense: Sequence[tuple[str, np.ndarray]],
        sparse: SparseVector | None,
        limit: int,
        flt: SearchFilter | None = None,
        prefetch_limit: int = 100,
    ) -> list[Hit]:
        """Several (vector name, query) dense searches and one sparse search, each ``prefetch_limit``
        deep (at least ``limit``), fused by reciprocal rank (k=``RRF_K``) inside the engine: one query.
        Equal scores are ordered by ad id (see :data:`TIE_MARGIN`)."""
        if limit <= 0:
            return []
        return by_score(self._search_fused(dense, sparse, limit + TIE_MARGIN, flt, max(prefetch_limit, limit)), limit)

    @abstractmethod
    def _search_fused(
        self, dense: Sequence[tuple[str, np.ndarray]], sparse: SparseVector | None, limit: int,
        flt: SearchFilter | None, depth: int,
    ) -> list[Hit]:
        """The engine's RRF of the lists, each ``depth`` deep, ``limit`` best, in its own order."""

    def search_candidates(
        self,
        dense: Sequence[tuple[str, np.ndarray]],
        sparse: SparseVector | None,
        limit: int,
        flt: SearchFilter | None = None,
    ) -> Candidates:
        """A match's search: :meth:`search_hybrid` with every list ``limit`` deep, and the BM25 list
        (see :class:`Candidates`). A server backend sends both in one round trip."""
        if limit <= 0:
            return Candidates((), ())
        fused, bm25 = self._search_fused_and_sparse(dense, sparse, limit + TIE_MARGIN, flt, limit)
        return Candidates(tuple(by_score(fused, limit)), tuple(bm25))

    def _search_fused_and_sparse(
        self, dense: Sequence[tuple[str, np.ndarray]], sparse: SparseVector | None, limit: int,
        flt: SearchFilter | None, depth: int,
    ) -> tuple[list[Hit], list[Hit]]:
        """:meth:`_search_fused` and BM25's own list, ``depth`` deep; a server backend sends both at once."""
        bm25 = self.search_sparse(sparse, depth, flt) if sparse is not None else []
        return self._search_fused(dense, sparse, limit, flt, depth), bm25

    @abstractmethod
    def get_vectors(self, ad_ids: Sequence[str]) -> dict[str, dict[str, np.ndarray]]:
        """Stored dense vectors by name for these ads (for exact re-scoring of candidates)."""

    @abstractmethod
    def count(self) -> int:
        """Number of ads in the index."""

    @abstractmethod
    def ad_ids(self) -> set[str]:
        """Every ad id in the index (for verification and reconciliation)."""

    @abstractmethod
    def close(self) -> None:
        """Flush and release the index (the embedded shard allows one opener at a time)."""

    def optimize(self) -> None:  # noqa: B027 - deliberately a no-op by default
        """Build search structures after a bulk load (Edge has no background optimizer).

        A Qdrant server optimizes in the background, so the default does nothing.
        """

    def __enter__(self) -> VectorIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- The schema, and the engine-agnostic code, both Qdrant backends share (Edge and server) ---

SPARSE_VECTOR = "bm25"
KEYWORD_FIELDS: tuple[str, ...] = (
    "municipality",
    "region",
    "country",
    "occupation",
    "occupation_group",
    "occupation_field",
    "employment_type",
    "working_hours_type",
)
"""Payload fields with a keyword index (taxonomy concept ids)."""
PUBLISHED_FIELD = "published_ts"
"""Integer payload field (epoch seconds, UTC) with a range index."""
RRF_K = 60
"""Qdrant scores RRF as sum of 1/(k + rank) with 0-based ranks, on the server, in the
client's local mode and in Edge alike; k=60 keeps deep hits of several lists meaningful."""
TIE_MARGIN = 32
"""Fused hits read beyond a search's limit. Equal RRF scores are common (an ad found at rank r by one
list ties with an ad found at rank r by another) and the engine orders them differently from call
to call, so the cut at the limit is made here, by score and then ad id: the same search gives the
same candidates. Such a tie group is about as large as the number of lists (9 for a CV), far
below this margin."""


def by_score(hits: Iterable[Hit], limit: int) -> list[Hit]:
    """The ``limit`` best hits, equal scores in ad id order."""
    return sorted(hits, key=lambda h: (-h.score, h.ad_id))[: max(limit, 0)]


def payload_dict(payload: AdPayload) -> dict[str, str | int]:
    """The stored payload: the ad id plus every filter field that is set."""
    out: dict[str, str | int] = {"ad_id": payload.ad_id}
    for key in KEYWORD_FIELDS:
        value = getattr(payload, key)
        if value is not None:
            out[key] = value
    if payload.published_ts is not None:
        out[PUBLISHED_FIELD] = int(payload.published_ts)
    return out


def dense_list(vector: np.ndarray, dim: int) -> list[float]:
    """A dense vector as the engines take it, refusing wrong sizes and NaN/inf early."""
    arr = np.asarray(vector, dtype=np.float32).reshape(-1)
    if arr.shape[0] != dim:
        raise VectorIndexError(f"A vector has {arr.shape[0]} dimensions; the index expects {dim}.")
    if not np.isfinite(arr).all():
        raise VectorIndexError("A vector contains NaN or infinite values.")
    return arr.tolist()


def vector_name(name: str) -> str:
    """Refuse a dense-vector name the index does not have, with a message that lists them."""
    if name not in DENSE_VECTORS:
        raise VectorIndexError(f"Unknown vector {name!r}; the index has {', '.join(DENSE_VECTORS)}.")
    return name


def named_vectors(records: Iterable[Any], by_pid: Mapping[str, str]) -> dict[str, dict[str, np.ndarray]]:
    """Retrieved records (``id`` and a ``vector`` dict) as ad id -> vector name -> vector."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for rec in records:
        vectors = rec.vector
        if isinstance(vectors, dict) and all(n in vectors for n in DENSE_VECTORS):
            out[by_pid[str(rec.id)]] = {n: np.asarray(vectors[n], dtype=np.float32) for n in DENSE_VECTORS}
    return out


UPSERT_BATCH = 256
"""Points per write request; deletes send four times as many ids (an id is far smaller than a point)."""
SCROLL_PAGE = 1000
"""Points per page when listing every ad id."""


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``: how both backends bound a request."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def point_vectors(point: IndexPoint, dim: int, sparse: Callable[[SparseVector], Any]) -> dict[str, Any]:
    """A point's named vectors for an engine: every dense one checked, the BM25 one only when it has
    terms (an empty sparse vector is refused by the engines); ``sparse`` makes the engine's type."""
    vectors: dict[str, Any] = {name: dense_list(point.dense[name], dim) for name in DENSE_VECTORS}
    if point.sparse.indices:
        vectors[SPARSE_VECTOR] = sparse(point.sparse)
    return vectors


def payload_hits(points: Iterable[Any]) -> list[Hit]:
    """Scored points from either engine (``payload`` holding the ad id, ``score``) as hits, in order."""
    return [Hit(ad_id=str(p.payload["ad_id"]), score=float(p.score)) for p in points if p.payload]


def scroll_ad_ids(page: Callable[[Any], tuple[Iterable[Any], Any]]) -> set[str]:
    """Every ad id, page by page: ``page(offset)`` returns (records, next offset or None); the
    first call gets None. The paging loop is the engines' common part; the request is each one's."""
    out: set[str] = set()
    offset: Any = None
    while True:
        records, offset = page(offset)
        out.update(str(r.payload["ad_id"]) for r in records if r.payload)
        if offset is None:
            return out


@contextlib.contextmanager
def engine_errors(action: str, where: object) -> Iterator[None]:
    """Turn an engine's or client's exceptions into VectorIndexError naming the action and the index,
    so callers handle one error type whichever backend serves; JobsAI's own errors pass unchanged."""
    try:
        yield
    except JobsAIError:
        raise
    except Exception as exc:
        raise VectorIndexError(f"Failed {action} at {where}: {exc}") from exc


def published_after_ts(flt: SearchFilter) -> int | None:
    """``published_after`` as epoch seconds (naive datetimes are taken as UTC); inclusive."""
    if flt.published_after is None:
        return None
    return int(ensure_utc(flt.published_after).timestamp())


FIRST_AD_TEXT_VERSION = "ad-text-1"


@dataclass(frozen=True, slots=True)
class IndexIdentity:
    """What an index records about how its vectors were made; another one is refused on open."""

    fingerprint: ModelFingerprint
    sparse_signature: str
    ad_text: str
    """Which ``embed.text`` representation of the ads the vectors were made from."""

    @classmethod
    def current(cls, fingerprint: ModelFingerprint, sparse_signature: str) -> IndexIdentity:
        """The identity an index gets from this version of JobsAI with this model and analyzer."""
        return cls(fingerprint, sparse_signature, AD_TEXT_VERSION)

    def to_json(self) -> dict[str, object]:
        return {
            "model": {
                "name": self.fingerprint.name,
                "weights_sha256": self.fingerprint.weights_sha256,
                "dim": self.fingerprint.dim,
                "vectors": self.fingerprint.vectors,
            },
            "sparse_signature": self.sparse_signature,
            "ad_text": self.ad_text,
        }

    @classmethod
    def from_json(cls, data: object, where: str) -> IndexIdentity:
        """Parse a recorded identity; a damaged record is an error, never a silent pass."""
        try:
            if not isinstance(data, dict) or not isinstance(data.get("model"), dict):
                raise TypeError("expected an object with a 'model' object")
            model = data["model"]
            fp = ModelFingerprint(
                name=str(model["name"]),
                weights_sha256=str(model["weights_sha256"]),
                dim=int(model["dim"]),
                # Indexes from before the encoder was recorded were all built by fp32 torch.
                vectors=str(model.get("vectors", FP32_VECTORS)),
            )
            # Indexes from before the version was recorded were built from the first one.
            ad_text = str(data.get("ad_text", FIRST_AD_TEXT_VERSION))
            return cls(fingerprint=fp, sparse_signature=str(data["sparse_signature"]), ad_text=ad_text)
        except (KeyError, TypeError, ValueError) as exc:
            raise VectorIndexError(
                f"The index at {where} has an unreadable model record ({exc!r}); "
                "delete it and build the index again."
            ) from exc

    def check(self, wanted: IndexIdentity, where: str) -> None:
        """Refuse to use an index built by another model, BM25 analyzer or ad text representation."""
        if self.fingerprint != wanted.fingerprint and self.fingerprint == replace(
            wanted.fingerprint, vectors=self.fingerprint.vectors
        ):
            raise IndexModelMismatchError(
                f"The index at {where} holds {self.fingerprint.vectors} vectors of {self.fingerprint.name}, "
                f"but the configured encoder makes {wanted.fingerprint.vectors} vectors (JOBSAI_EMBED_BACKEND); "
                "mixing them would rank ads by which encoder embedded them. Build a new index with "
                "`jobsai index build --switch`, or configure the encoder the index was built with."
            )
        if self.fingerprint != wanted.fingerprint:
            raise IndexModelMismatchError(
                f"The index at {where} was built with the model {self.fingerprint.describe()}, "
                f"but the configured model is {wanted.fingerprint.describe()}. Re-index the ads "
                "with the configured model (or configure the model the index was built with)."
            )
        if self.sparse_signature != wanted.sparse_signature:
            raise IndexModelMismatchError(
                f"The index at {where} was built with another BM25 text analyzer "
                f"({self.sparse_signature}, this version uses {wanted.sparse_signature}). "
                "Re-index the ads."
            )
        if self.ad_text != wanted.ad_text:
            raise IndexModelMismatchError(
                f"The index at {where} was built from another text representation of the ads "
                f"({self.ad_text}, this version uses {wanted.ad_text}). Build a new index with "
                "`jobsai index build`: it is built beside this one, verified, then switched to."
            )
