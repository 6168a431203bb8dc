"""The server index: a collection on a Qdrant server or cluster, through ``qdrant_client``.

Same vectors (``dense`` cosine + ``bm25`` sparse with IDF), same payload and payload indexes,
same filter and fusion semantics as the embedded Edge shard, so either backend can serve.
Any number of processes may use it at once. The model that built the collection is recorded
in the collection's metadata (Qdrant 1.16+) and checked on every open.

Tests use the client's local mode (``QdrantClient(":memory:")`` or ``path=...``), which
implements the same API in Python; it is only fit for small collections (stores.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from qdrant_client import QdrantClient
from qdrant_client import models as qm

from jobsai.embed.fingerprint import ModelFingerprint
from jobsai.errors import VectorIndexError
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

METADATA_KEY = "jobsai"


@dataclass(frozen=True, slots=True)
class ServerTuning:
    """HNSW settings for a new collection; the server builds the graph in the background."""

    m: int = 16
    ef_construct: int = 100
    payload_m: int | None = None
    """None: the server default (payload-aware links help filtered recall; the server has
    the time to build them, unlike the embedded shard)."""
    sparse_full_scan_threshold: int = 500
    """As ``EdgeTuning.sparse_full_scan_threshold``: filtered BM25 over few ads scans them directly."""
    hnsw_ef: int = 128
    acorn: bool = True
    """ACORN for filtered searches (AND-ed filters defeat per-field payload links)."""


def connect_client(url: str, api_key: str | None, timeout_s: float = 60.0) -> QdrantClient:
    """A client for the Qdrant server at ``url``; a bad URL or setting is a VectorIndexError."""
    try:
        return QdrantClient(url=url, api_key=api_key, timeout=int(timeout_s))
    except Exception as exc:
        raise VectorIndexError(f"Could not connect to Qdrant at {url}: {exc}") from exc


class ServerIndex(VectorIndex):
    """``VectorIndex`` over one collection of a Qdrant server (or the client's local mode)."""

    def __init__(
        self,
        client: QdrantClient,
        collection: str,
        fingerprint: ModelFingerprint,
        tuning: ServerTuning,
        where: str,
        owns_client: bool,
    ) -> None:
        self.client = client
        self.collection = collection
        self.fingerprint = fingerprint
        self.tuning = tuning
        self.where = where
        self._owns_client = owns_client
        self._closed = False

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def connect(
        cls,
        url: str,
        api_key: str | None,
        collection: str,
        fingerprint: ModelFingerprint,
        create: bool = True,
        encoder: Bm25Encoder | None = None,
        tuning: ServerTuning | None = None,
        timeout_s: float = 60.0,
    ) -> ServerIndex:
        """Open the collection on the server at ``url`` (the index owns the client)."""
        client = connect_client(url, api_key, timeout_s)
        try:
            return cls.open(
                client,
                collection,
                fingerprint,
                create=create,
                encoder=encoder,
                tuning=tuning,
                where=url,
                owns_client=True,
            )
        except BaseException:
            client.close()
            raise

    @classmethod
    def open(
        cls,
        client: QdrantClient,
        collection: str,
        fingerprint: ModelFingerprint,
        create: bool = True,
        encoder: Bm25Encoder | None = None,
        tuning: ServerTuning | None = None,
        where: str = "local Qdrant",
        owns_client: bool = False,
    ) -> ServerIndex:
        """Open (or with ``create`` make) ``collection`` for vectors of ``fingerprint``.

        Raises IndexModelMismatchError when the collection was built by another model or
        BM25 analyzer, VectorIndexError when it is missing (and ``create`` is false), was not
        made by JobsAI, or the server cannot be reached.
        """
        tuning = tuning or ServerTuning()
        wanted = IndexIdentity.current(fingerprint, (encoder or Bm25Encoder()).signature)
        label = f"{where} (collection {collection!r})"
        with engine_errors("opening the index", label):
            exists = client.collection_exists(collection)
            if not exists:
                if not create:
                    raise VectorIndexError(f"There is no index at {label}; build it first.")
                _create_collection(client, collection, fingerprint.dim, tuning, wanted)
            info = client.get_collection(collection)
            metadata = info.config.metadata or {}
            if METADATA_KEY not in metadata:
                raise VectorIndexError(
                    f"The collection at {label} was not made by JobsAI (it has no model record); "
                    "choose another JOBSAI_QDRANT_COLLECTION or delete that collection."
                )
            IndexIdentity.from_json(metadata[METADATA_KEY], label).check(wanted, label)
            _ensure_payload_indexes(client, collection, set(info.payload_schema or {}))
        return cls(client, collection, fingerprint, tuning, label, owns_client)

    @staticmethod
    def drop(client: QdrantClient, collection: str, where: str = "local Qdrant") -> bool:
        """Delete ``collection`` for good; False when there is none."""
        with engine_errors("deleting the index", f"{where} (collection {collection!r})"):
            if not client.collection_exists(collection):
                return False
            client.delete_collection(collection)
        return True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._owns_client:
            with engine_errors("closing the connection", self.where):
                self.client.close()

    # ------------------------------------------------------------------- writes

    def upsert(self, points: Sequence[IndexPoint]) -> None:
        self._check_open()
        dim = self.fingerprint.dim
        for batch in batches(points, UPSERT_BATCH):
            with engine_errors("writing to the index", self.where):
                self.client.upsert(self.collection, points=[_to_point(p, dim) for p in batch], wait=True)

    def delete(self, ad_ids: Iterable[str]) -> None:
        self._check_open()
        ids: list[qm.ExtendedPointId] = [point_id(a) for a in ad_ids]
        for batch in batches(ids, UPSERT_BATCH * 4):
            with engine_errors("deleting from the index", self.where):
                self.client.delete(self.collection, points_selector=qm.PointIdsList(points=list(batch)), wait=True)

    # -------------------------------------------------------------------- reads

    def search_dense(
        self, vector: np.ndarray, limit: int, flt: SearchFilter | None = None, using: str = TITLE_VECTOR
    ) -> list[Hit]:
        if limit <= 0:
            return []
        return self._query(
            query=dense_list(vector, self.fingerprint.dim),
            using=vector_name(using),
            query_filter=server_filter(flt),
            search_params=self._params(limit, flt),
            limit=limit,
        )

    def search_sparse(self, vector: SparseVector, limit: int, flt: SearchFilter | None = None) -> list[Hit]:
        if limit <= 0 or not vector.indices:
            return []
        return self._query(
            query=_sparse(vector), using=SPARSE_VECTOR, query_filter=server_filter(flt), limit=limit
        )

    def _search_fused(
        self, dense: Sequence[tuple[str, np.ndarray]], sparse: SparseVector | None, limit: int,
        flt: SearchFilter | None, depth: int,
    ) -> list[Hit]:
        """RRF (k=RRF_K) over one prefetch per dense vector plus the sparse one, on the server."""
        request = self._fused_request(dense, sparse, limit, flt, depth)
        if request is None:
            return []
        return self._query(prefetch=request.prefetch, query=request.query, limit=request.limit)

    def _search_fused_and_sparse(
        self, dense: Sequence[tuple[str, np.ndarray]], sparse: SparseVector | None, limit: int,
        flt: SearchFilter | None, depth: int,
    ) -> tuple[list[Hit], list[Hit]]:
        """The fused query and the BM25 query in one batch request: one round trip."""
        fused = self._fused_request(dense, sparse, limit, flt, depth)
        if fused is None:
            return [], []
        requests = [fused]
        if sparse is not None and sparse.indices:
            requests.append(qm.QueryRequest(query=_sparse(sparse), using=SPARSE_VECTOR, filter=server_filter(flt),
                                            limit=depth, with_payload=["ad_id"], with_vector=False))
        self._check_open()
        with engine_errors("searching the index", self.where):
            responses = self.client.query_batch_points(self.collection, requests=requests)
        hits = [payload_hits(r.points) for r in responses]
        return hits[0], hits[1] if len(hits) > 1 else []

    def _fused_request(
        self, dense: Sequence[tuple[str, np.ndarray]], sparse: SparseVector | None, limit: int,
        flt: SearchFilter | None, depth: int,
    ) -> qm.QueryRequest | None:
        """The RRF query over one prefetch per list, ``depth`` deep; None when there is nothing to search."""
        condition = server_filter(flt)
        prefetch = [
            qm.Prefetch(query=dense_list(v, self.fingerprint.dim), using=vector_name(name), filter=condition,
                        params=self._params(depth, flt), limit=depth)
            for name, v in dense
        ]
        if sparse is not None and sparse.indices:
            prefetch.append(qm.Prefetch(query=_sparse(sparse), using=SPARSE_VECTOR, filter=condition, limit=depth))
        if not prefetch:
            return None
        return qm.QueryRequest(prefetch=prefetch, query=qm.RrfQuery(rrf=qm.Rrf(k=RRF_K)), limit=limit,
                               with_payload=["ad_id"], with_vector=False)

    def get_vectors(self, ad_ids: Sequence[str]) -> dict[str, dict[str, np.ndarray]]:
        """Stored dense vectors (unit length: cosine storage normalizes them)."""
        self._check_open()
        by_pid = {point_id(a): a for a in ad_ids}
        if not by_pid:
            return {}
        with engine_errors("reading vectors", self.where):
            records = self.client.retrieve(
                self.collection, ids=list(by_pid), with_payload=False, with_vectors=list(DENSE_VECTORS)
            )
        return named_vectors(records, by_pid)

    def count(self) -> int:
        self._check_open()
        with engine_errors("counting the index", self.where):
            return int(self.client.count(self.collection, exact=True).count)

    def ad_ids(self) -> set[str]:
        self._check_open()

        def page(offset: qm.ExtendedPointId | None) -> tuple[list[qm.Record], qm.ExtendedPointId | None]:
            with engine_errors("listing the index", self.where):
                return self.client.scroll(
                    self.collection, offset=offset, limit=SCROLL_PAGE, with_payload=["ad_id"], with_vectors=False
                )

        return scroll_ad_ids(page)

    # ------------------------------------------------------------------ helpers

    def _check_open(self) -> None:
        if self._closed:
            raise VectorIndexError(f"The index at {self.where} is closed.")

    def _params(self, limit: int, flt: SearchFilter | None) -> qm.SearchParams:
        filtered = flt is not None and not flt.is_empty()
        return qm.SearchParams(
            hnsw_ef=max(self.tuning.hnsw_ef, limit),
            acorn=qm.AcornSearchParams(enable=True) if filtered and self.tuning.acorn else None,
        )

    def _query(self, **kwargs: Any) -> list[Hit]:
        self._check_open()
        with engine_errors("searching the index", self.where):
            response = self.client.query_points(
                self.collection, with_payload=["ad_id"], with_vectors=False, **kwargs
            )
        return payload_hits(response.points)


def server_filter(flt: SearchFilter | None) -> qm.Filter | None:
    """OR within a field (match any), AND across fields (must); published_after inclusive."""
    if flt is None or flt.is_empty():
        return None
    must: list[qm.Condition] = [
        qm.FieldCondition(key=key, match=qm.MatchAny(any=list(values)))
        for key, values in flt.field_conditions()
    ]
    since = published_after_ts(flt)
    if since is not None:
        must.append(qm.FieldCondition(key=PUBLISHED_FIELD, range=qm.Range(gte=since)))
    return qm.Filter(must=must)


def _create_collection(
    client: QdrantClient, collection: str, dim: int, tuning: ServerTuning, identity: IndexIdentity
) -> None:
    try:
        client.create_collection(
            collection,
            vectors_config={
                name: qm.VectorParams(size=dim, distance=qm.Distance.COSINE) for name in DENSE_VECTORS
            },
            sparse_vectors_config={
                SPARSE_VECTOR: qm.SparseVectorParams(
                    index=qm.SparseIndexParams(full_scan_threshold=tuning.sparse_full_scan_threshold),
                    modifier=qm.Modifier.IDF,
                )
            },
            hnsw_config=qm.HnswConfigDiff(
                m=tuning.m, ef_construct=tuning.ef_construct, payload_m=tuning.payload_m
            ),
            on_disk_payload=True,
            metadata={METADATA_KEY: identity.to_json()},
        )
    except Exception:
        # Another process may have created it a moment ago; the caller checks its record.
        if not client.collection_exists(collection):
            raise


def _ensure_payload_indexes(client: QdrantClient, collection: str, existing: set[str]) -> None:
    """Create missing payload indexes (also on collections made by an older version)."""
    wanted: list[tuple[str, qm.PayloadSchemaType | qm.IntegerIndexParams]] = [
        (key, qm.PayloadSchemaType.KEYWORD) for key in KEYWORD_FIELDS
    ]
    wanted.append(
        (
            PUBLISHED_FIELD,
            qm.IntegerIndexParams(type=qm.IntegerIndexType.INTEGER, lookup=False, range=True),
        )
    )
    for key, schema in wanted:
        if key not in existing:
            client.create_payload_index(collection, key, field_schema=schema, wait=True)


def _to_point(p: IndexPoint, dim: int) -> qm.PointStruct:
    return qm.PointStruct(
        id=point_id(p.payload.ad_id), vector=point_vectors(p, dim, _sparse), payload=payload_dict(p.payload)
    )


def _sparse(vector: SparseVector) -> qm.SparseVector:
    return qm.SparseVector(indices=[int(i) for i in vector.indices], values=[float(v) for v in vector.values])
