"""The ingestion pipeline (sync/pipeline.py): encoding in its own thread while later batches are
parsed and stored, against the fake JobStream and a tiny real model.

What must hold: the end state (SQL rows, index points and vectors) is the one the old order
(store everything, then index) gives; ads the run will expire are never embedded; the indexing
thread works while the store is still being written; progress is logged every interval.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from jobsai.config import Settings
from jobsai.index.base import BODY_VECTOR, TITLE_VECTOR
from jobsai.index.points import AdPointBuilder
from jobsai.runtime import Runtime
from jobsai.sources.demo import iter_demo_items
from jobsai.sources.jobstream import JobStreamClient
from jobsai.store import runs
from jobsai.store.schema import ads as ads_table
from jobsai.sync import ingest, progress
from jobsai.sync.ingest import CHECKPOINT, Ingestor
from jobsai.sync.progress import ProgressLog, format_eta
from jobsai.timeutil import to_local_param

from fake_jobstream import FakeJobStream
from support.tiny_model import make_tiny_model


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("tiny-model"))


def _dated(ad: dict[str, Any], days: int) -> dict[str, Any]:
    ad = copy.deepcopy(ad)
    ad["last_publication_date"] = to_local_param(datetime.now(UTC) + timedelta(days=days))
    return ad


@pytest.fixture(scope="module")
def ads() -> list[dict[str, Any]]:
    """120 demo ads, every fifth already past its last publication date."""
    demo = list(iter_demo_items())[:120]
    return [_dated(a, -2 if i % 5 == 0 else 30) for i, a in enumerate(demo)]


@pytest.fixture
def make_runtime(tmp_path: Path, tiny_model: Path) -> Iterator[Any]:
    opened: list[Runtime] = []

    def make(name: str, url: str) -> Runtime:
        rt = Runtime(Settings(
            data_dir=tmp_path / name, model=str(tiny_model), embed_quantize=False, database_url=None,
            qdrant_url=None, jobstream_url=url, http_max_retries=2, http_backoff_base_s=0.01,
            http_backoff_max_s=0.05, http_timeout_s=5.0,
        ))
        opened.append(rt)
        return rt

    yield make
    for rt in opened:
        rt.close()


class _CountingBuilder(AdPointBuilder):
    """The real point builder, recording which ads it embedded and when."""

    def __init__(self, rt: Runtime, events: list[tuple[str, int]]) -> None:
        super().__init__(rt.embedder, rt.bm25)
        self.embedded: list[str] = []
        self.events = events

    def build(self, ads):  # type: ignore[no-untyped-def]
        self.embedded.extend(a.id for a in ads)
        self.events.append(("build", len(ads)))
        return super().build(ads)


def _ingestor(rt: Runtime, *, pipeline: bool, events: list[tuple[str, int]]) -> tuple[Ingestor, _CountingBuilder]:
    builder = _CountingBuilder(rt, events)
    ing = Ingestor(rt.settings, rt.db, rt.index, builder,
                   progress=lambda stage, done, total: events.append((stage, done)), pipeline=pipeline)
    return ing, builder


def _db_state(rt: Runtime) -> list[tuple[Any, ...]]:
    with rt.db.begin(readonly=True) as conn:
        rows = conn.execute(select(ads_table.c.id, ads_table.c.content_hash, ads_table.c.removed_reason,
                                   ads_table.c.indexed_hash).order_by(ads_table.c.id))
        return [tuple(r) for r in rows]


def _index_state(rt: Runtime) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    ids = sorted(rt.index.ad_ids())
    vecs = rt.index.get_vectors(ids)
    return {i: (vecs[i][TITLE_VECTOR], vecs[i][BODY_VECTOR]) for i in ids}


def _client(rt: Runtime) -> JobStreamClient:
    return JobStreamClient(rt.settings, sleep=lambda s: None)


def test_pipeline_ends_where_the_sequential_order_ends(make_runtime, ads, monkeypatch) -> None:
    monkeypatch.setattr(ingest, "BATCH", 16)  # 120 ads: eight batches through a queue of one
    with FakeJobStream(ads=ads) as srv:
        seq_rt, pipe_rt = make_runtime("seq", srv.url), make_runtime("pipe", srv.url)
        seq_events: list[tuple[str, int]] = []
        pipe_events: list[tuple[str, int]] = []
        seq, _ = _ingestor(seq_rt, pipeline=False, events=seq_events)
        pipe, builder = _ingestor(pipe_rt, pipeline=True, events=pipe_events)
        for ing, rt in ((seq, seq_rt), (pipe, pipe_rt)):
            with _client(rt) as client:
                report = ing.bootstrap(client)
            assert report.inserted == len(ads) and report.expired == len(ads) // 5
            assert report.indexed == len(ads) - len(ads) // 5

        expired_ids = {a["id"] for i, a in enumerate(ads) if i % 5 == 0}
        assert not expired_ids & set(builder.embedded), "ads the run expires were embedded"
        assert len(builder.embedded) == len(ads) - len(expired_ids)
        # The indexing thread worked while ads were still being stored (not after the last batch).
        first_embed = next(i for i, e in enumerate(pipe_events) if e[0] == "embed")
        last_store = max(i for i, e in enumerate(pipe_events) if e[0] == "ads")
        assert first_embed < last_store
        assert not any(e[0] == "embed" for e in seq_events)
        # The indexing thread settled every item; nothing was left for the final pass.
        assert ("embed", len(ads)) in pipe_events
        assert not any(e[0] == "index" for e in pipe_events)

        # A stream window: changed, new, removed and expired ads, applied both ways.
        now = datetime.now(UTC)
        changed = copy.deepcopy(ads[1])
        changed["headline"] = "Ny rubrik: erfaren lagerarbetare"
        srv.add_or_update(changed, when=now)
        srv.add_or_update(_dated(list(iter_demo_items())[130], 30), when=now)
        srv.remove(ads[2]["id"])
        srv.add_or_update(_dated(ads[3], -1), when=now)
        for ing, rt in ((seq, seq_rt), (pipe, pipe_rt)):
            with _client(rt) as client:
                ing.update(client)
            with rt.db.begin(readonly=True) as conn:
                assert runs.get_checkpoint(conn, CHECKPOINT) is not None

    assert _db_state(pipe_rt) == _db_state(seq_rt)
    assert all(r[3] == r[1] for r in _db_state(pipe_rt) if r[2] is None)
    a, b = _index_state(pipe_rt), _index_state(seq_rt)
    assert a.keys() == b.keys() and ads[2]["id"] not in a and ads[3]["id"] not in a
    for k in a:
        np.testing.assert_allclose(a[k][0], b[k][0], atol=1e-5)
        np.testing.assert_allclose(a[k][1], b[k][1], atol=1e-5)


def test_rerunning_a_pipelined_bootstrap_changes_nothing(make_runtime, ads, monkeypatch) -> None:
    monkeypatch.setattr(ingest, "BATCH", 32)
    with FakeJobStream(ads=ads) as srv:
        rt = make_runtime("again", srv.url)
        events: list[tuple[str, int]] = []
        ing, builder = _ingestor(rt, pipeline=True, events=events)
        with _client(rt) as client:
            ing.bootstrap(client)
        before_db, before_ix = _db_state(rt), _index_state(rt)
        n_embedded = len(builder.embedded)
        with _client(rt) as client:
            report = ing.bootstrap(client)
    assert report.inserted == 0 and report.indexed == 0 and report.unchanged == len(ads) - len(ads) // 5
    assert len(builder.embedded) == n_embedded, "unchanged ads were embedded again"
    assert _db_state(rt) == before_db
    assert _index_state(rt).keys() == before_ix.keys()


def test_an_indexing_error_fails_the_run_and_the_rerun_finishes_it(make_runtime, ads, monkeypatch) -> None:
    monkeypatch.setattr(ingest, "BATCH", 16)
    with FakeJobStream(ads=ads) as srv:
        rt = make_runtime("fails", srv.url)
        events: list[tuple[str, int]] = []
        ing, builder = _ingestor(rt, pipeline=True, events=events)
        real_upsert = rt.index.upsert
        calls = {"n": 0}

        def upsert_then_fail(points):  # type: ignore[no-untyped-def]
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError("disk full")
            return real_upsert(points)

        monkeypatch.setattr(rt.index, "upsert", upsert_then_fail)
        with _client(rt) as client, pytest.raises(OSError, match="disk full"):
            ing.bootstrap(client)
        with rt.db.begin(readonly=True) as conn:
            assert runs.get_checkpoint(conn, CHECKPOINT) is None
            assert runs.recent_runs(conn, limit=1)[0].status == "failed"
        assert 0 < rt.index.count() < len(ads)

        monkeypatch.setattr(rt.index, "upsert", real_upsert)
        with _client(rt) as client:
            ing.update(client)  # no checkpoint yet: the snapshot again
    state = _db_state(rt)
    live = [r for r in state if r[2] is None]
    assert len(live) == len(ads) - len(ads) // 5 and all(r[3] == r[1] for r in live)
    assert rt.index.ad_ids() == {r[0] for r in live}


def test_progress_lines_are_logged_while_a_bootstrap_runs(make_runtime, ads, monkeypatch, caplog) -> None:
    monkeypatch.setattr(ingest, "BATCH", 16)
    monkeypatch.setattr(progress, "LOG_INTERVAL_S", 0.0)
    caplog.set_level(logging.INFO, logger="jobsai.sync.progress")
    with FakeJobStream(ads=ads) as srv:
        rt = make_runtime("logs", srv.url)
        ing, _ = _ingestor(rt, pipeline=True, events=[])
        with _client(rt) as client:
            report = ing.bootstrap(client)
    lines = [r.getMessage() for r in caplog.records if r.name == "jobsai.sync.progress"]
    assert any(line.startswith("progress: ") and f"/{len(ads)} ads embedded and indexed" in line
               and "ads/s, ETA " in line for line in lines), lines
    assert any(f"/{len(ads)} ads stored" in line for line in lines), lines
    for stage in ("download", "read", "parse", "store", "embed", "index_write", "run"):
        assert report.seconds.get(stage, -1) >= 0, stage


def test_progress_log_throttles_and_estimates() -> None:
    now = {"t": 0.0}
    lines: list[str] = []
    plog = ProgressLog(30.0, emit=lines.append, clock=lambda: now["t"])
    plog("embed", 0, 1000)
    for t, done in ((10, 100), (31, 310), (40, 400), (62, 620)):
        now["t"] = t
        plog("embed", done, 1000)
    assert lines == [
        "progress: 310/1000 ads embedded and indexed (31 %), 10.0 ads/s, ETA 1 min 09 s",
        "progress: 620/1000 ads embedded and indexed (62 %), 10.0 ads/s, ETA 38 s",
    ]
    plog("ads", 0, None)
    now["t"] = 100
    plog("ads", 500, None)
    assert lines[-1] == "progress: 500 ads stored, 13.2 ads/s"
    assert format_eta(3725) == "1 h 02 min" and format_eta(None) == "?"
