"""The embedded index: a Qdrant Edge shard in a directory, inside this process.

Layout of the index directory::

    jobsai-index.json   which model and BM25 analyzer built the vectors (written at creation)
    jobsai-index.lock   held (flock) while a process has the index open
    shard/              the Qdrant Edge shard (same data format as a Qdrant server)

Only one process may open the directory: Qdrant Edge itself locks its write-ahead log, and we
hold our own lock first so the second opener gets a message a person can act on. Updates go
through the shard's WAL (durable without a clean shutdown); ``close`` flushes and, unless
told otherwise, runs the optimizer, which is what builds the HNSW graph: Edge has no
background optimizer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import qdrant_edge as qe

from jobsai.atomic_json import write_json_atomic
from jobsai.embed.fingerprint import ModelFingerprint
from jobsai.errors import IndexBusyError, VectorIndexError
from jobsai.filelock import FileLock, LockHeld
from jobsai.index.base import (
    DENSE_VECTORS,
    KEYWORD_FIELDS,
    PUBLISHED_FIELD,
    RRF_K,
    SCROLL_PAGE,
    SPARSE_VECTOR,
    TITLE_VECTOR,
    UPSERT_BATCH,
    Hit,
    IndexIdentity,
    IndexPoint,
    SearchFilter,
    SparseVector,
    VectorIndex,
    batches,
    dense_list,
    engine_errors,
    named_vectors,
    payload_dict,
    payload_hits,
    point_id,
    point_vectors,
    published_after_ts,
    scroll_ad_ids,
    vector_name,
)
from jobsai.index.bm25 import Bm25Encoder

META_FILE = "jobsai-index.json"
LOCK_FILE = "jobsai-index.lock"
SHARD_DIR = "shard"
META_FORMAT = 1
MAX_SEGMENTS = 16
"""Segments the optimizer leaves unmerged (each at most ``EdgeTuning.max_segment_kb``)."""


@dataclass(frozen=True, slots=True)
class EdgeTuning:
    """HNSW and search settings; the defaults are the lean ones measured in shared/docs/stores.md.

    ``payload_m=0`` skips the extra per-field graph links that made HNSW builds 5.5x slower;
    restrictive filters are answered from the payload index by exact scan instead
    (below ``full_scan_threshold_kb`` of matching vectors), wider ones by filtered HNSW.
    """

    m: int = 16
    ef_construct: int = 100
    payload_m: int = 0
    full_scan_threshold_kb: int = 10_000
    indexing_threads: int = 0
    """0: as many as the machine has."""
    hnsw_ef: int = 128
    """Search-time beam width; raised to the requested limit when that is larger."""
    acorn: bool = True
    """Filtered graph walks step through neighbours of neighbours (ACORN) when the filter keeps
    under 40 % of the points. Without payload links (``payload_m=0``) a plain filtered walk
    strands: at 20 % selectivity on 50k ads recall@100 was 0.51 (clustered vectors) and 0.16
    (random) without ACORN, 0.999 and 0.89 with it, at about 2.6 and 17 ms (bench/).
    Filters matching few ads are answered exactly from the payload index by Qdrant's planner
    (below ``full_scan_threshold_kb``) whatever this says."""
    exact_filtered: bool = False
    """Score every ad that passes a filter exactly instead of walking the graph: recall 1.0
    always, about 9 ms at 20 % of 50k ads; choose it when recall must not depend on the data."""
    exact: bool = False
    """Scan every vector for every search (exact; about 5 ms per query at 50k ads)."""
    segment_points: int = 6000
    """Bulk writes are optimized into an indexed segment of their own every this many points
    (0: only when the index is closed), and segments are not merged past ``max_segment_kb``.
    Qdrant keeps the points of its one appendable segment, and builds a merged segment, in memory:
    a 43k-ad bootstrap peaked at 1.1 GB in the index alone when everything waited for the closing
    optimizer (+0.6 GB while it ran), against 0.9 GB with segments of 6,000 points (seven
    segments; ``bench/bootstrap_speed.py``)."""
    max_segment_kb: int = 20_000
    """Largest segment the optimizer builds (its dense vectors, KB): 6,000 ads of two 384-d vectors."""
    sparse_full_scan_threshold: int = 500
    """BM25 searches whose filter keeps fewer ads than this score them all directly instead of
    walking the inverted index: a municipality filter (~4,000 of 50k ads) went from 45 to 9 ms
    with the same top 300. Applies to indexes created with it."""


class EdgeIndex(VectorIndex):
    """``VectorIndex`` over a Qdrant Edge shard; open it with :meth:`open`."""

    def __init__(
        self,
        path: Path,
        shard: qe.EdgeShard,
        lock: FileLock,
        fingerprint: ModelFingerprint,
        tuning: EdgeTuning,
    ) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.tuning = tuning
        self._shard: qe.EdgeShard | None = shard
        self._lock = lock
        self._unoptimized = 0
        """Points written since the last optimize (see ``EdgeTuning.segment_points``)."""

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def open(
        cls,
        path: Path | str,
        fingerprint: ModelFingerprint,
        create: bool = True,
        encoder: Bm25Encoder | None = None,
        tuning: EdgeTuning | None = None,
    ) -> EdgeIndex:
        """Open (or with ``create`` make) the index at ``path`` for vectors of ``fingerprint``.

        Raises IndexModelMismatchError when the index was built by another model or BM25
        analyzer, IndexBusyError when another process has it open, VectorIndexError when
        there is no index and ``create`` is false or the directory is damaged.
        """
        path = Path(path)
        tuning = tuning or EdgeTuning()
        wanted = IndexIdentity.current(fingerprint, (encoder or Bm25Encoder()).signature)
        if not (path / META_FILE).exists() and not create:
            raise VectorIndexError(f"There is no index at {path}; build it first.")
        path.mkdir(parents=True, exist_ok=True)
        lock = _acquire_dir_lock(path)
        try:
            shard_dir = path / SHARD_DIR
            shard_exists = (shard_dir / "edge_config.json").exists()
            meta_path = path / META_FILE
            if meta_path.exists():
                recorded = IndexIdentity.from_json(_read_json(meta_path), str(path))
                recorded.check(wanted, str(path))
            elif shard_exists:
                raise VectorIndexError(
                    f"The index at {path} holds vectors but no {META_FILE} saying which model "
                    "built them; delete the directory and build the index again."
                )
            else:
                write_json_atomic(
                    meta_path,
                    {
                        "format": META_FORMAT,
                        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                        **wanted.to_json(),
                    },
                )
            shard = _open_shard(path, shard_dir, fingerprint.dim, tuning, shard_exists)
            try:
                _ensure_payload_indexes(shard)
            except BaseException:
                shard.close()
                raise
        except BaseException:
            lock.release()
            raise
        return cls(path, shard, lock, fingerprint, tuning)

    @staticmethod
    def drop(path: Path | str) -> bool:
        """Delete the index at ``path`` for good; False when there is none.

        Raises IndexBusyError while any process has it open (its lock is held), so a
        retired index that a server still reads from is never pulled from under it.
        """
        import shutil

        path = Path(path)
        if not path.is_dir() or path.is_symlink():
            return False
        lock = _acquire_dir_lock(path)
        try:
            shutil.rmtree(path)
        finally:
            lock.release()
        return True

    def close(self, optimize: bool = True) -> None:
        """Flush, optionally optimize (builds HNSW for new data), and release the directory."""
        shard, self._shard = self._shard, None
        if shard is None:
            return
        try:
            with engine_errors("closing the index", self.path):
                shard.flush()
                if optimize:
                    shard.optimize()
                    shard.flush()
        finally:
            try:
                shard.close()
            finally:
                self._lock.release()

    def optimize(self) -> None:
        """Build the HNSW graph and merge segments now (minutes for ~100k vectors on 2 cores)."""
        with engine_errors("optimizing the index", self.path):
            self._live().optimize()
            self._live().flush()
        self._unoptimized = 0

    def flush(self) -> None:
        """Write pending changes to the segments (the WAL already makes them durable)."""
        with engine_errors("flushing the index", self.path):
            self._live().flush()

    # ------------------------------------------------------------------- writes

    def upsert(self, points: Sequence[IndexPoint]) -> None:
        shard = self._live()
        dim = self.fingerprint.dim
        for batch in batches(points, UPSERT_BATCH):
            with engine_errors("writing to the index", self.path):
                shard.update(qe.UpdateOperation.upsert_points([_to_point(p, dim) for p in batch]))
        self._unoptimized += len(points)
        if self.tuning.segment_points and self._unoptimized >= self.tuning.segment_points:
            self.optimize()  # a bulk load: index what is written so far as a segment of its own

    def delete(self, ad_ids: Iterable[str]) -> None:
        shard = self._live()
        ids: list[qe.PointId] = [point_id(a) for a in ad_ids]
        for batch in batches(ids, UPSERT_BATCH * 4):
            with engine_errors("deleting from the index", self.path):
                shard.update(qe.UpdateOperation.delete_points(list(batch)))

    # -------------------------------------------------------------------- reads

    def search_dense(
        self, vector: np.ndarray, limit: int, flt: SearchFilter | None = None, using: str = TITLE_VECTOR
    ) -> list[Hit]:
        if limit <= 0:
            return []
        request = qe.QueryRequest(
            limit=limit,
            query=qe.Query.Nearest(dense_list(vector, self.fingerprint.dim), using=vector_name(using)),
            filter=edge_filter(flt),
            params=self._params(limit, flt),
            with_payload=["ad_id"],
        )
        return self._query(request)

    def search_sparse(self, vector: SparseVector, limit: int, flt: SearchFilter | None = None) -> list[Hit]:
        if limit <= 0 or not vector.indices:
            return []
        request = qe.QueryRequest(
            limit=limit,
            query=qe.Query.Nearest(_sparse(vector), using=SPARSE_VECTOR),
            filter=edge_filter(flt),
            with_payload=["ad_id"],
        )
        return self._query(request)

    def _search_fused(
        self, dense: Sequence[tuple[str, np.ndarray]], sparse: SparseVector | None, limit: int,
        flt: SearchFilter | None, depth: int,
    ) -> list[Hit]:
        """RRF (k=RRF_K) over one prefetch per dense vector plus the sparse one, in the shard."""
        condition = edge_filter(flt)
        prefetches = [
            qe.Prefetch(
                limit=depth,
                query=qe.Query.Nearest(dense_list(v, self.fingerprint.dim), using=vector_name(name)),
                filter=condition,
                params=self._params(depth, flt),
            )
            for name, v in dense
        ]
        if sparse is not None and sparse.indices:
            prefetches.append(
                qe.Prefetch(limit=depth, query=qe.Query.Nearest(_sparse(sparse), using=SPARSE_VECTOR), filter=condition)
            )
        if not prefetches:
            return []
        fusion: Any = qe.Fusion.Rrf(k=RRF_K)  # the stubs type a query as Fusion, not its nested Rrf
        return self._query(qe.QueryRequest(limit=limit, prefetches=prefetches, query=fusion, with_payload=["ad_id"]))

    def get_vectors(self, ad_ids: Sequence[str]) -> dict[str, dict[str, np.ndarray]]:
        """Stored dense vectors (unit length: cosine storage normalizes them)."""
        by_pid = {point_id(a): a for a in ad_ids}
        if not by_pid:
            return {}
        with engine_errors("reading vectors", self.path):
            records = self._live().retrieve(list(by_pid), with_payload=False, with_vector=list(DENSE_VECTORS))
        return named_vectors(records, by_pid)

    def count(self) -> int:
        with engine_errors("counting the index", self.path):
            return int(self._live().count(qe.CountRequest(exact=True)))

    def ad_ids(self) -> set[str]:
        shard = self._live()

        def page(offset: qe.PointId | None) -> tuple[list[qe.Record], qe.PointId | None]:
            with engine_errors("listing the index", self.path):
                return shard.scroll(
                    qe.ScrollRequest(offset=offset, limit=SCROLL_PAGE, with_payload=["ad_id"], with_vector=False)
                )

        return scroll_ad_ids(page)

    # ------------------------------------------------------------------ helpers

    def _live(self) -> qe.EdgeShard:
        if self._shard is None:
            raise VectorIndexError(f"The index at {self.path} is closed.")
        return self._shard

    def _params(self, limit: int, flt: SearchFilter | None) -> qe.SearchParams:
        filtered = flt is not None and not flt.is_empty()
        exact = self.tuning.exact or (filtered and self.tuning.exact_filtered)
        acorn = filtered and not exact and self.tuning.acorn
        return qe.SearchParams(
            hnsw_ef=max(self.tuning.hnsw_ef, limit),
            exact=exact,
            acorn=qe.AcornSearchParams(enable=True) if acorn else None,
        )

    def _query(self, request: qe.QueryRequest) -> list[Hit]:
        with engine_errors("searching the index", self.path):
            return payload_hits(self._live().query(request))


def edge_filter(flt: SearchFilter | None) -> qe.Filter | None:
    """OR within a field (match any), AND across fields (must); published_after inclusive."""
    if flt is None or flt.is_empty():
        return None
    must: list[Any] = [
        qe.FieldCondition(key, match=qe.MatchAny(list(values))) for key, values in flt.field_conditions()
    ]
    since = published_after_ts(flt)
    if since is not None:
        must.append(qe.FieldCondition(PUBLISHED_FIELD, range=qe.RangeFloat(gte=float(since))))
    return qe.Filter(must=must)


# ---------------------------------------------------------------------- internals


def _edge_config(dim: int, tuning: EdgeTuning) -> qe.EdgeConfig:
    return qe.EdgeConfig(
        vectors={name: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine) for name in DENSE_VECTORS},
        sparse_vectors={
            SPARSE_VECTOR: qe.EdgeSparseVectorParams(
                modifier=qe.Modifier.Idf, full_scan_threshold=tuning.sparse_full_scan_threshold
            )
        },
        hnsw_config=qe.HnswIndexConfig(
            m=tuning.m,
            ef_construct=tuning.ef_construct,
            full_scan_threshold=tuning.full_scan_threshold_kb,
            max_indexing_threads=tuning.indexing_threads,
            payload_m=tuning.payload_m,
        ),
        optimizers=qe.EdgeOptimizersConfig(
            max_segment_size=tuning.max_segment_kb or None,
            default_segment_number=MAX_SEGMENTS if tuning.max_segment_kb else None,
        ),
    )


def _open_shard(path: Path, shard_dir: Path, dim: int, tuning: EdgeTuning, exists: bool) -> qe.EdgeShard:
    try:
        if exists:
            return qe.EdgeShard.load(str(shard_dir))
        return qe.EdgeShard.create(str(shard_dir), _edge_config(dim, tuning))
    except Exception as exc:
        if "WouldBlock" in str(exc):
            raise IndexBusyError(_busy_message(path)) from exc
        raise VectorIndexError(f"Could not open the index at {path}: {exc}") from exc


def _ensure_payload_indexes(shard: qe.EdgeShard) -> None:
    """Create missing payload indexes (also on indexes made by an older version)."""
    existing = set(shard.info().payload_schema)
    for key in KEYWORD_FIELDS:
        if key not in existing:
            shard.update(qe.UpdateOperation.create_field_index(key, qe.PayloadSchemaType.Keyword))
    if PUBLISHED_FIELD not in existing:
        shard.update(
            qe.UpdateOperation.create_field_index(
                PUBLISHED_FIELD, qe.IntegerIndexParams(lookup=False, range=True)
            )
        )


def _to_point(p: IndexPoint, dim: int) -> qe.Point:
    return qe.Point(point_id(p.payload.ad_id), point_vectors(p, dim, _sparse), payload_dict(p.payload))


def _sparse(vector: SparseVector) -> qe.SparseVector:
    return qe.SparseVector([int(i) for i in vector.indices], [float(v) for v in vector.values])


def _busy_message(path: Path) -> str:
    return (
        f"The index at {path} is in use by another JobsAI process (e.g. `jobsai serve`); "
        "stop it or use a Qdrant server (JOBSAI_QDRANT_URL)."
    )


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise VectorIndexError(
            f"Could not read {path} ({exc}); delete the index directory and build it again."
        ) from exc


def _acquire_dir_lock(directory: Path) -> FileLock:
    """Our own lock on ``<dir>/jobsai-index.lock``, so the second opener gets a readable message."""
    try:
        return FileLock.acquire(directory / LOCK_FILE)
    except LockHeld as exc:
        raise IndexBusyError(_busy_message(directory)) from exc
