"""One contract suite for both index backends: the embedded Qdrant Edge shard and a Qdrant server
(exercised through ``qdrant_client``'s local mode), plus Edge-only locking and crash tests."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import QdrantClient

from jobsai.config import Settings
from jobsai.embed.fingerprint import ModelFingerprint
from jobsai.embed.text import AD_TEXT_VERSION
from jobsai.errors import ConfigError, IndexBusyError, IndexModelMismatchError, VectorIndexError
from jobsai.index.base import (
    BODY_VECTOR,
    FIRST_AD_TEXT_VERSION,
    KEYWORD_FIELDS,
    RRF_K,
    TITLE_VECTOR,
    AdPayload,
    Candidates,
    Hit,
    IndexIdentity,
    IndexPoint,
    SearchFilter,
    VectorIndex,
)
from jobsai.index.bm25 import Bm25Encoder
from jobsai.index.factory import open_index
from jobsai.index.filters import FILTERS, ConceptFilter
from jobsai.index.qdrant_edge import EdgeIndex
from jobsai.index.qdrant_server import ServerIndex

DIM = 8
FP = ModelFingerprint(name="test-model", weights_sha256="a" * 64, dim=DIM)
OTHER_FP = ModelFingerprint(name="other-model", weights_sha256="b" * 64, dim=DIM)
ENCODER = Bm25Encoder()

# The client's local mode stands in for a server here; it says so about indexes it does not need.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Local mode performs exact"),
    pytest.mark.filterwarnings("ignore:Payload indexes have no effect"),
    pytest.mark.filterwarnings("ignore:Failed to obtain server version"),
]
T0 = 1_750_000_000  # epoch seconds


def _unit(*pairs: tuple[int, float]) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    for i, x in pairs:
        v[i] = x
    return v / np.linalg.norm(v)


# ad id -> (dense, text, payload fields); a row lists its payload values in the order of _PAYLOAD_KEYS
_PAYLOAD_KEYS = ("municipality", "region", "country", "occupation", "occupation_group", "occupation_field",
                 "employment_type", "working_hours_type", "published_ts")
_ROWS = [
    ("a0", _unit((0, 1.0)), "Vi söker en legitimerad sjuksköterska till akutmottagningen.",
     ("m-gbg", "r-vg", "se", "o-nurse", "g-nurse", "f-health", "e-perm", "w-full", T0)),
    ("a1", _unit((0, 1.0), (1, 0.5)), "Lärare i matematik och fysik till gymnasieskola.",
     ("m-sthlm", "r-sthlm", "se", "o-teacher", "g-teacher", "f-edu", "e-perm", "w-part", T0 + 100)),
    ("a2", _unit((0, 1.0), (1, 1.0)), "Javautvecklare med erfarenhet av Spring och SQL.",
     ("m-gbg", "r-vg", "se", "o-dev", "g-dev", "f-it", "e-temp", "w-full", T0 + 200)),
    ("a3", _unit((1, 1.0)), "Undersköterska inom hemtjänsten, körkort krävs.",
     ("m-malmo", "r-skane", "se", "o-assistant", "g-nurse", "f-health", "e-temp", "w-part", T0 + 300)),
    ("a4", _unit((2, 1.0)), "We are looking for registered nurses for our intensive care unit in Oslo.",
     ("m-oslo", "r-oslo", "no", "o-nurse", "g-nurse", "f-health", "e-perm", "w-full", T0 + 400)),
    ("a5", _unit((3, 1.0), (0, 0.2)), "Lagerarbetare till vårt lager, truckkort är meriterande.",
     ("m-sthlm", "r-sthlm", "se", "o-warehouse", "g-warehouse", "f-logistics", "e-temp", "w-full", T0 + 500)),
    ("a6", _unit((4, 1.0)), "Ekonomiassistent med god kunskap i Excel och bokföring.",
     ("m-malmo", "r-skane")),  # few fields on purpose
]  # fmt: skip
ADS: dict[str, tuple[np.ndarray, str, dict[str, str | int]]] = {
    ad_id: (dense, text, dict(zip(_PAYLOAD_KEYS, values, strict=False))) for ad_id, dense, text, values in _ROWS
}


def _body_of(vec: np.ndarray) -> np.ndarray:
    """A body vector distinct from the title vector (reversed), so the two cannot be mixed up."""
    return np.ascontiguousarray(vec[::-1])


def _named(vec: np.ndarray) -> dict[str, np.ndarray]:
    return {TITLE_VECTOR: vec, BODY_VECTOR: _body_of(vec)}


def _title(vectors: list[np.ndarray]) -> list[tuple[str, np.ndarray]]:
    return [(TITLE_VECTOR, v) for v in vectors]


def _point(ad_id: str) -> IndexPoint:
    dense, text, fields = ADS[ad_id]
    return IndexPoint(
        payload=AdPayload(ad_id=ad_id, **fields),  # type: ignore[arg-type]
        dense=_named(dense),
        sparse=ENCODER.embed_document(text),
        text=text,
    )


ALL_POINTS = [_point(a) for a in ADS]


def _expected(flt: SearchFilter) -> set[str]:
    """Ground truth for a filter, evaluated in Python over ADS."""
    out = set()
    for ad_id, (_, _, f) in ADS.items():
        ok = all(f.get(key) in values for key, values in flt.field_conditions())
        if flt.published_after is not None:
            ts = f.get("published_ts")
            ok = ok and ts is not None and int(ts) >= int(flt.published_after.timestamp())
        if ok:
            out.add(ad_id)
    return out


Opener = Callable[..., VectorIndex]


@pytest.fixture(params=["edge", "server"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """A function that opens (or reopens) the same index location on one backend."""
    opened: list[VectorIndex] = []

    def open_(fingerprint: ModelFingerprint = FP, create: bool = True) -> VectorIndex:
        if request.param == "edge":
            index: VectorIndex = EdgeIndex.open(tmp_path / "idx", fingerprint, create=create, encoder=ENCODER)
        else:
            client = QdrantClient(path=str(tmp_path / "qdrant-local"))
            try:
                index = ServerIndex.open(
                    client, "jobsai_ads", fingerprint, create=create, encoder=ENCODER, owns_client=True
                )
            except BaseException:
                client.close()
                raise
        opened.append(index)
        return index

    yield open_
    for index in opened:
        index.close()


@pytest.fixture
def index(opener: Opener) -> VectorIndex:
    idx = opener()
    idx.upsert(ALL_POINTS)
    return idx


def _ids(hits: list[Hit]) -> list[str]:
    return [h.ad_id for h in hits]


# ------------------------------------------------------------------------- writes


def test_upsert_count_ids_reupsert_delete(index: VectorIndex) -> None:
    assert index.count() == len(ADS)
    assert index.ad_ids() == set(ADS)

    # Idempotent: the same ads again (one with a changed payload) do not add points.
    changed = IndexPoint(
        payload=AdPayload(ad_id="a0", municipality="m-kiruna"),
        dense=_named(ADS["a0"][0]),
        sparse=ALL_POINTS[0].sparse,
    )
    index.upsert([*ALL_POINTS[1:], changed])
    assert index.count() == len(ADS)
    assert _ids(index.search_dense(ADS["a0"][0], 10, SearchFilter(municipalities=("m-kiruna",)))) == ["a0"]

    index.delete(["a1", "a2", "never-indexed"])
    assert index.count() == len(ADS) - 2
    assert index.ad_ids() == set(ADS) - {"a1", "a2"}
    assert "a1" not in _ids(index.search_dense(ADS["a1"][0], 10))
    index.delete([])


def test_rejects_wrong_dimension_and_nan(index: VectorIndex) -> None:
    with pytest.raises(VectorIndexError, match="dimensions"):
        index.search_dense(np.ones(DIM + 1, dtype=np.float32), 3)
    bad = IndexPoint(payload=AdPayload(ad_id="x"), dense=_named(np.full(DIM, np.nan)), sparse=ALL_POINTS[0].sparse)
    with pytest.raises(VectorIndexError, match="NaN"):
        index.upsert([bad])


# -------------------------------------------------------------------------- dense


def test_dense_order_and_scores_are_exact(index: VectorIndex) -> None:
    hits = index.search_dense(_unit((0, 1.0)), 4)
    assert _ids(hits) == ["a0", "a1", "a2", "a5"]
    expected = [1.0, 1 / np.sqrt(1.25), 1 / np.sqrt(2), 0.2 / np.sqrt(1.04)]
    assert [h.score for h in hits] == pytest.approx(expected, abs=1e-5)
    assert _ids(index.search_dense(_unit((1, 1.0)), 3)) == ["a3", "a2", "a1"]
    assert index.search_dense(_unit((0, 1.0)), 0) == []


# ------------------------------------------------------------------------ filters

_FIELD_FILTERS = [
    SearchFilter(municipalities=("m-gbg",)),
    SearchFilter(regions=("r-skane",)),
    SearchFilter(occupations=("o-nurse",)),
    SearchFilter(occupation_groups=("g-nurse",)),
    SearchFilter(occupation_fields=("f-health",)),
    SearchFilter(employment_types=("e-temp",)),
    SearchFilter(working_hours=("w-part",)),
    SearchFilter(published_after=datetime.fromtimestamp(T0 + 200, tz=UTC)),
    # OR within a field
    SearchFilter(municipalities=("m-gbg", "m-malmo")),
    SearchFilter(occupation_fields=("f-it", "f-edu", "f-logistics")),
    # AND across fields
    SearchFilter(municipalities=("m-gbg", "m-malmo"), occupation_groups=("g-nurse",)),
    SearchFilter(
        occupation_fields=("f-health",), employment_types=("e-perm",), working_hours=("w-full",)
    ),
    SearchFilter(regions=("r-vg", "r-sthlm"), published_after=datetime.fromtimestamp(T0 + 100, tz=UTC)),
    # naive datetimes are UTC; the bound is inclusive
    SearchFilter(published_after=datetime.fromtimestamp(T0 + 400, tz=UTC).replace(tzinfo=None)),
    # nothing matches
    SearchFilter(municipalities=("m-gbg",), employment_types=("e-perm",), working_hours=("w-part",)),
]


@pytest.mark.parametrize("flt", _FIELD_FILTERS)
def test_filters_apply_inside_every_search(index: VectorIndex, flt: SearchFilter) -> None:
    want = _expected(flt)
    assert set(_ids(index.search_dense(_unit((0, 1.0)), 20, flt))) == want
    everything = ENCODER.embed_query(" ".join(text for _, text, _ in ADS.values()))
    assert set(_ids(index.search_sparse(everything, 20, flt))) == want
    hybrid = index.search_hybrid(_title([_unit((0, 1.0)), _unit((4, 1.0))]), everything, 20, flt, prefetch_limit=20)
    assert set(_ids(hybrid)) == want


@pytest.mark.parametrize("spec", FILTERS, ids=lambda f: f.name)
def test_every_declared_filter_applies_inside_the_index(index: VectorIndex, spec: ConceptFilter) -> None:
    """A filter added to ``index.filters`` is applied by both backends with no other change."""
    assert spec.payload_key in KEYWORD_FIELDS
    values = sorted({str(f[spec.payload_key]) for _, _, f in ADS.values() if spec.payload_key in f})
    flt = SearchFilter(**{spec.name: values[:1]})
    want = _expected(flt)
    assert 0 < len(want) < len(ADS)
    assert set(_ids(index.search_dense(_unit((0, 1.0)), 20, flt))) == want
    both = SearchFilter(**{spec.name: values[:2]})
    assert set(_ids(index.search_dense(_unit((0, 1.0)), 20, both))) == _expected(both) > want


def test_filter_limit_counts_only_matching(index: VectorIndex) -> None:
    hits = index.search_dense(_unit((0, 1.0), (1, 0.5)), 2, SearchFilter(occupation_groups=("g-nurse",)))
    assert _ids(hits) == ["a0", "a3"]


# -------------------------------------------------------------------------- BM25


def test_sparse_matches_stemmed_swedish(index: VectorIndex) -> None:
    hits = index.search_sparse(ENCODER.embed_query("sjuksköterskor"), 5)
    assert _ids(hits) == ["a0"]  # only the ad with "sjuksköterska"; "undersköterska" is another word
    hits = index.search_sparse(ENCODER.embed_query("erfaren javautvecklare, SQL"), 5)
    assert _ids(hits)[0] == "a2"


def test_sparse_english_and_idf(index: VectorIndex) -> None:
    assert _ids(index.search_sparse(ENCODER.embed_query("nurse for the intensive care"), 5)) == ["a4"]
    # two matching terms beat one; "och" is a stopword
    hits = index.search_sparse(ENCODER.embed_query("lager och matematik och truckkort"), 5)
    assert _ids(hits)[0] == "a5"
    assert index.search_sparse(ENCODER.embed_query("och det är"), 5) == []


def test_bm25_encoder_properties() -> None:
    q = ENCODER.embed_query("Sjuksköterskor sjuksköterska och IT")
    assert len(q.indices) == 2 and set(q.values) == {1.0}  # one stem + "it"; "och" is a stopword
    assert ENCODER.embed_query("").indices == ()
    doc = ENCODER.embed_document("lager lager lager")
    assert len(doc.indices) == 1 and doc.values[0] > ENCODER.embed_document("lager").values[0]
    assert doc.values[0] < ENCODER.k1 + 1  # saturated term frequency
    assert Bm25Encoder(avg_len=100.0).signature != ENCODER.signature
    # stable across processes: term ids are a hash, not a per-process vocabulary
    code = "from jobsai.index.bm25 import Bm25Encoder; e = Bm25Encoder(); "
    code += "print(e.signature, list(e.embed_query('sjuksköterska Göteborg').indices))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[0] == ENCODER.signature
    assert str(list(ENCODER.embed_query("sjuksköterska Göteborg").indices)) in out


# ------------------------------------------------------------------------- hybrid


def _rrf(*rankings: list[str]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, ad_id in enumerate(ranking):
            scores[ad_id] = scores.get(ad_id, 0.0) + 1.0 / (RRF_K + rank)
    return scores


def test_hybrid_is_rrf_of_dense_and_sparse_in_the_index(index: VectorIndex) -> None:
    dense = [_unit((0, 1.0)), _unit((2, 1.0), (1, 0.3))]
    sparse = ENCODER.embed_query("sjuksköterska nurses")
    depth = 4  # deep enough to reach every non-zero score, shallow enough to avoid ties
    rankings = [_ids(index.search_dense(v, depth)) for v in dense]
    rankings.append(_ids(index.search_sparse(sparse, depth)))
    want = _rrf(*rankings)

    hits = index.search_hybrid(_title(dense), sparse, limit=4, prefetch_limit=depth)
    assert rankings == [["a0", "a1", "a2", "a5"], ["a4", "a3", "a2", "a1"], ["a0", "a4"]]
    assert _ids(hits) == ["a0", "a4", "a1", "a2"]
    assert [h.score for h in hits] == pytest.approx([want[h.ad_id] for h in hits], rel=1e-5)

    # Sparse only, dense only, nothing.
    assert _ids(index.search_hybrid([], sparse, 3, prefetch_limit=depth)) == rankings[2][:3]
    assert _ids(index.search_hybrid(_title(dense[:1]), None, 3))[:3] == rankings[0][:3]
    assert index.search_hybrid([], None, 3) == []
    assert index.search_hybrid([], ENCODER.embed_query("och"), 3) == []


def test_search_candidates_gives_the_fused_hits_and_the_bm25_list(index: VectorIndex) -> None:
    """A match's search: the lists fused in the engine, each as deep as the candidates, and the BM25
    list with its own scores (what ranking reads its BM25 scores from)."""
    dense = [_unit((0, 1.0)), _unit((2, 1.0), (1, 0.3))]
    sparse = ENCODER.embed_query("sjuksköterska nurses")
    found = index.search_candidates(_title(dense), sparse, 4)
    want = _rrf(*[_ids(index.search_dense(v, 4)) for v in dense], _ids(index.search_sparse(sparse, 4)))
    assert _ids(found.fused) == _ids(index.search_hybrid(_title(dense), sparse, 4, prefetch_limit=4))
    assert [h.score for h in found.fused] == pytest.approx([want[h.ad_id] for h in found.fused], rel=1e-5)
    bm25 = index.search_sparse(sparse, 4)
    assert [h.ad_id for h in found.sparse] == _ids(bm25)
    assert [h.score for h in found.sparse] == pytest.approx([h.score for h in bm25], rel=1e-6)
    flt = SearchFilter(municipalities=("m-gbg",))
    filtered = index.search_candidates(_title(dense), sparse, 4, flt)
    assert {h.ad_id for h in (*filtered.fused, *filtered.sparse)} <= _expected(flt)
    assert filtered.fused and filtered.sparse
    without_bm25 = index.search_candidates(_title(dense), None, 4)
    assert without_bm25.sparse == ()
    assert _ids(without_bm25.fused) == _ids(index.search_hybrid(_title(dense), None, 4, prefetch_limit=4))
    assert index.search_candidates([], sparse, 0) == Candidates((), ())
    assert index.search_candidates([], None, 4) == Candidates((), ())


def test_fused_hits_with_equal_scores_come_in_ad_id_order_every_time(index: VectorIndex) -> None:
    """An ad that one list finds at rank r ties with one that the other list finds at rank r; the
    engine orders such ties as it likes, so the index orders them by ad id, and the cut at the limit
    is the same on every call."""
    dense = _title([_unit((0, 1.0)), _unit((2, 1.0), (4, 0.5), (1, 0.2))])
    assert [_ids(index.search_dense(v, 4)) for _, v in dense] == [["a0", "a1", "a2", "a5"], ["a4", "a6", "a3", "a2"]]
    # a0 = a4 (rank 0 of one list), a1 = a6 (rank 1): the cut after 4 keeps a1, not a6
    every = index._search_fused(dense, None, 7, None, 4)
    assert sorted(_ids(every)) == ["a0", "a1", "a2", "a3", "a4", "a5", "a6"]
    assert len({h.score for h in every}) == 5
    for _ in range(8):
        hits = index.search_hybrid(dense, None, 4, prefetch_limit=4)
        assert _ids(hits) == ["a2", "a0", "a4", "a1"]
        assert hits[1].score == hits[2].score
        assert list(index.search_candidates(dense, None, 4).fused) == hits


def test_get_vectors_round_trip(index: VectorIndex) -> None:
    got = index.get_vectors(["a0", "a2", "missing"])
    assert set(got) == {"a0", "a2"}
    for ad_id, named in got.items():
        assert set(named) == {TITLE_VECTOR, BODY_VECTOR}
        for name, vec in named.items():
            assert vec.dtype == np.float32 and vec.shape == (DIM,)
            want = ADS[ad_id][0] if name == TITLE_VECTOR else _body_of(ADS[ad_id][0])
            np.testing.assert_allclose(vec, want, atol=1e-6)
    assert index.get_vectors([]) == {}


# --------------------------------------------------------------- identity, reopen


def test_reopen_keeps_data_and_refuses_other_model(opener: Opener) -> None:
    first = opener()
    first.upsert(ALL_POINTS)
    first.close()

    with pytest.raises(IndexModelMismatchError) as err:
        opener(OTHER_FP)
    assert "test-model" in str(err.value) and "other-model" in str(err.value)

    again = opener(FP, create=False)
    assert again.count() == len(ADS)
    assert _ids(again.search_dense(_unit((0, 1.0)), 1)) == ["a0"]
    assert _ids(again.search_sparse(ENCODER.embed_query("sjuksköterska"), 1)) == ["a0"]
    again.close()
    with pytest.raises(VectorIndexError):
        again.count()


def test_missing_index_without_create(opener: Opener) -> None:
    with pytest.raises(VectorIndexError, match="no index"):
        opener(FP, create=False)


def test_other_bm25_analyzer_is_refused(tmp_path: Path) -> None:
    EdgeIndex.open(tmp_path / "i", FP, encoder=ENCODER).close(optimize=False)
    with pytest.raises(IndexModelMismatchError, match="BM25"):
        EdgeIndex.open(tmp_path / "i", FP, encoder=Bm25Encoder(avg_len=100.0))
    client = QdrantClient(":memory:")
    ServerIndex.open(client, "c", FP, encoder=ENCODER)
    with pytest.raises(IndexModelMismatchError, match="BM25"):
        ServerIndex.open(client, "c", FP, encoder=Bm25Encoder(avg_len=100.0))
    client.close()


def test_index_built_from_other_ad_texts_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change to how ads become text must rebuild the index, never mix old and new vectors."""
    monkeypatch.setattr("jobsai.index.base.AD_TEXT_VERSION", "ad-text-0")
    EdgeIndex.open(tmp_path / "i", FP, encoder=ENCODER).close(optimize=False)
    client = QdrantClient(":memory:")
    ServerIndex.open(client, "c", FP, encoder=ENCODER)
    monkeypatch.undo()
    with pytest.raises(IndexModelMismatchError, match="ad-text-0.*jobsai index build"):
        EdgeIndex.open(tmp_path / "i", FP, encoder=ENCODER)
    with pytest.raises(IndexModelMismatchError, match="ad-text-0.*jobsai index build"):
        ServerIndex.open(client, "c", FP, encoder=ENCODER)
    client.close()


def test_identity_recorded_before_the_ad_text_version_reads_as_the_first() -> None:
    record = IndexIdentity.current(FP, ENCODER.signature).to_json()
    assert record["ad_text"] == AD_TEXT_VERSION
    del record["ad_text"]
    assert IndexIdentity.from_json(record, "old").ad_text == FIRST_AD_TEXT_VERSION


# -------------------------------------------------------------------- Edge only

_CHILD = textwrap.dedent(
    """
    import os, sys
    import numpy as np
    from jobsai.embed.fingerprint import ModelFingerprint
    from jobsai.errors import IndexBusyError
    from jobsai.index.base import AdPayload, IndexPoint, SparseVector
    from jobsai.index.qdrant_edge import EdgeIndex
    fp = ModelFingerprint(name="test-model", weights_sha256="a" * 64, dim=8)
    try:
        idx = EdgeIndex.open(sys.argv[1], fp)
    except IndexBusyError as exc:
        print("BUSY", exc)
        sys.exit(0)
    if sys.argv[2] == "crash":
        v = np.eye(8, dtype=np.float32)[0]
        idx.upsert([IndexPoint(AdPayload(ad_id="crash-1"), {"title": v, "body": v}, SparseVector((), ()))])
        os._exit(0)  # no flush, no close: the WAL must carry the write
    print("OPENED")
    """
)


def _child(path: Path, mode: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), mode], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_edge_second_opener_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "idx"
    idx = EdgeIndex.open(path, FP, encoder=ENCODER)
    try:
        out = _child(path, "open")
        assert out.startswith("BUSY") and "in use by another JobsAI process" in out and str(path) in out
        with pytest.raises(IndexBusyError):
            EdgeIndex.open(path, FP, encoder=ENCODER)
    finally:
        idx.close()
    assert _child(path, "open").startswith("OPENED")  # released on close


def test_edge_write_survives_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "idx"
    EdgeIndex.open(path, FP, encoder=ENCODER).close()
    _child(path, "crash")
    with EdgeIndex.open(path, FP, encoder=ENCODER) as idx:
        assert idx.ad_ids() == {"crash-1"}


def test_edge_optimize_keeps_results(tmp_path: Path) -> None:
    with EdgeIndex.open(tmp_path / "idx", FP, encoder=ENCODER) as idx:
        idx.upsert(ALL_POINTS)
        before = _ids(idx.search_dense(_unit((0, 1.0)), 4))
        idx.optimize()
        assert _ids(idx.search_dense(_unit((0, 1.0)), 4)) == before == ["a0", "a1", "a2", "a5"]


# ------------------------------------------------------------------------ factory


def test_factory_picks_backend_and_names(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with open_index(settings, FP, encoder=ENCODER) as idx:
        assert isinstance(idx, EdgeIndex) and idx.path == tmp_path / "index" / "ads"
        idx.upsert(ALL_POINTS[:2])
    with open_index(settings, FP, name="ads-v2", encoder=ENCODER) as idx:
        assert isinstance(idx, EdgeIndex) and idx.count() == 0
    with pytest.raises(ConfigError):
        open_index(settings, FP, name="../escape")
    unreachable = Settings(data_dir=tmp_path, qdrant_url="http://127.0.0.1:9", http_timeout_s=5)
    with pytest.raises(VectorIndexError, match="127.0.0.1:9"):
        open_index(unreachable, FP, encoder=ENCODER)


def test_edge_damaged_record_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "idx"
    EdgeIndex.open(path, FP, encoder=ENCODER).close(optimize=False)
    (path / "jobsai-index.json").write_text('{"model": {"name": "x"}}', encoding="utf-8")
    with pytest.raises(VectorIndexError, match="unreadable model record"):
        EdgeIndex.open(path, FP, encoder=ENCODER)
    (path / "jobsai-index.json").unlink()
    with pytest.raises(VectorIndexError, match="no jobsai-index.json"):
        EdgeIndex.open(path, FP, encoder=ENCODER)


@pytest.mark.parametrize("backend", ["edge", "server"])
def test_drop_deletes_the_index_for_good(backend: str, tmp_path: Path) -> None:
    """Retired indexes are dropped to free disk; an open embedded index is never pulled away."""
    if backend == "edge":
        path = tmp_path / "idx"
        idx: VectorIndex = EdgeIndex.open(path, FP, encoder=ENCODER)
        idx.upsert(ALL_POINTS)
        with pytest.raises(IndexBusyError):
            EdgeIndex.drop(path)
        idx.close(optimize=False)
        assert EdgeIndex.drop(path) is True
        assert not path.exists()
        assert EdgeIndex.drop(path) is False
        with pytest.raises(VectorIndexError, match="no index"):
            EdgeIndex.open(path, FP, create=False, encoder=ENCODER)
        return
    client = QdrantClient(path=str(tmp_path / "qdrant-local"))
    try:
        idx = ServerIndex.open(client, "jobsai_ads", FP, encoder=ENCODER)
        idx.upsert(ALL_POINTS)
        assert ServerIndex.drop(client, "jobsai_ads") is True
        assert ServerIndex.drop(client, "jobsai_ads") is False
        with pytest.raises(VectorIndexError, match="no index"):
            ServerIndex.open(client, "jobsai_ads", FP, create=False, encoder=ENCODER)
    finally:
        client.close()


def test_a_bulk_load_is_indexed_in_segments_of_its_own_that_are_not_merged(tmp_path: Path) -> None:
    """Edge keeps unindexed points in memory: a bulk load is optimized every ``segment_points`` into
    a segment of its own (the shipped settings, at the vector size of the default model), and closing
    does not merge segments past ``max_segment_kb``."""
    from jobsai.index.qdrant_edge import EdgeTuning

    tuning = EdgeTuning()
    fp = ModelFingerprint(name="test-model", weights_sha256="a" * 64, dim=384)
    rng = np.random.default_rng(5)
    n = 2 * tuning.segment_points + 500
    vectors = rng.standard_normal((n, fp.dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"bulk-{i}" for i in range(n)]
    sparse = ENCODER.embed_documents(["lagerarbetare truck"])[0]
    index = EdgeIndex.open(tmp_path / "idx", fp, encoder=ENCODER, tuning=tuning)
    for start in range(0, n, 500):
        index.upsert([IndexPoint(payload=AdPayload(ad_id=ids[i]), dense=_named(vectors[i]), sparse=sparse)
                      for i in range(start, min(n, start + 500))])
    assert index._live().info().segments_count >= 2  # optimized on the way, not at the end only
    index.close()

    index = EdgeIndex.open(tmp_path / "idx", fp, encoder=ENCODER, tuning=tuning)
    try:
        info = index._live().info()
        assert info.segments_count >= 2 and info.points_count == n  # not merged into one at close
        for i in (0, n // 2, n - 1):  # found in whichever segment holds it
            assert _ids(index.search_dense(vectors[i], 1)) == [ids[i]]
    finally:
        index.close()
