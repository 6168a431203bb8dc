"""Ingestion end to end: fake JobStream → SQL → embeddings (tiny model) → Qdrant Edge.

Covers bootstrap, incremental update (new, changed, removed, expired), snapshot
reconciliation, malformed ads, network faults, and crash/resume equivalence.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from jobsai.config import Settings
from jobsai.errors import IncompleteSnapshotError, SourceError
from jobsai.index.base import TITLE_VECTOR
from jobsai.runtime import Runtime
from jobsai.sources.demo import iter_demo_items
from jobsai.sources.jobstream import JobStreamClient
from jobsai.store import runs
from jobsai.store.schema import ads as ads_table
from jobsai.sync.ingest import CHECKPOINT
from jobsai.timeutil import to_local_param

from fake_jobstream import FakeJobStream
from support.tiny_model import make_tiny_model

N_ADS = 150


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="module")
def demo_ads() -> list[dict[str, Any]]:
    return list(iter_demo_items())[:N_ADS]


def _settings(data_dir: Path, model: Path, url: str = "http://127.0.0.1:9") -> Settings:
    return Settings(
        data_dir=data_dir, model=str(model), embed_quantize=False, database_url=None, qdrant_url=None,
        jobstream_url=url, http_max_retries=2, http_backoff_base_s=0.01, http_backoff_max_s=0.05,
        http_timeout_s=5.0,
    )


@pytest.fixture
def runtime_factory(tmp_path: Path, tiny_model: Path) -> Iterator[Any]:
    opened: list[Runtime] = []

    def make(name: str = "a", url: str = "http://127.0.0.1:9") -> Runtime:
        rt = Runtime(_settings(tmp_path / name, tiny_model, url))
        opened.append(rt)
        return rt

    yield make
    for rt in opened:
        rt.close()


def _client(rt: Runtime) -> JobStreamClient:
    return JobStreamClient(rt.settings, sleep=lambda s: None)


def _db_state(rt: Runtime) -> list[tuple[Any, ...]]:
    with rt.db.begin(readonly=True) as conn:
        rows = conn.execute(
            select(ads_table.c.id, ads_table.c.content_hash, ads_table.c.removed_reason,
                   ads_table.c.indexed_hash).order_by(ads_table.c.id)
        )
        return [tuple(r) for r in rows]


def _index_state(rt: Runtime) -> dict[str, np.ndarray]:
    ids = sorted(rt.index.ad_ids())
    vecs = rt.index.get_vectors(ids)
    return {i: vecs[i][TITLE_VECTOR] for i in ids}


def _future(ad: dict[str, Any], days: int = 30) -> dict[str, Any]:
    ad = copy.deepcopy(ad)
    ad["last_publication_date"] = to_local_param(datetime.now(UTC) + timedelta(days=days))
    return ad


def test_bootstrap_then_update_applies_new_changed_removed_and_expired(runtime_factory, demo_ads) -> None:
    with FakeJobStream(ads=demo_ads[:50]) as srv:
        rt = runtime_factory(url=srv.url)
        with _client(rt) as client:
            report = rt.ingestor.bootstrap(client)
        assert report.inserted == 50 and report.indexed == 50
        assert rt.index.count() == 50
        with rt.db.begin(readonly=True) as conn:
            first_checkpoint = runs.get_checkpoint(conn, CHECKPOINT)
        assert first_checkpoint is not None

        changed = copy.deepcopy(demo_ads[0])
        changed["headline"] = "Ny rubrik: erfaren lagerarbetare"
        now = datetime.now(UTC)
        srv.add_or_update(changed, when=now)  # JobStream stamps every change
        srv.add_or_update(demo_ads[50], when=now)  # new
        srv.remove(demo_ads[1]["id"])  # removed
        expired = copy.deepcopy(demo_ads[2])
        expired["last_publication_date"] = to_local_param(datetime.now(UTC) - timedelta(days=1))
        srv.add_or_update(expired, when=now)

        with _client(rt) as client:
            report = rt.ingestor.update(client)
        assert report.inserted == 1
        assert report.updated >= 2
        assert report.removed == 1
        assert report.expired == 1
        ids = rt.index.ad_ids()
        assert demo_ads[50]["id"] in ids
        assert demo_ads[1]["id"] not in ids and demo_ads[2]["id"] not in ids
        assert rt.index.count() == 49
        with rt.db.begin(readonly=True) as conn:
            assert runs.get_checkpoint(conn, CHECKPOINT) > first_checkpoint
        stored = rt.lookup_ads([changed["id"]])[changed["id"]]
        assert stored.headline == "Ny rubrik: erfaren lagerarbetare"
        # the stream window overlaps the checkpoint and is sent as Swedish local time
        stream_reqs = [r for r in srv.requests if r.path == "/v2/stream"]
        assert stream_reqs and stream_reqs[-1].param("updated-after")
        assert stream_reqs[-1].param("updated-after") < to_local_param(first_checkpoint)


def test_rerunning_update_is_idempotent(runtime_factory, demo_ads) -> None:
    with FakeJobStream(ads=demo_ads[:20]) as srv:
        rt = runtime_factory(url=srv.url)
        with _client(rt) as client:
            rt.ingestor.bootstrap(client)
            before_db, before_ix = _db_state(rt), _index_state(rt)
            report = rt.ingestor.update(client)
        assert report.inserted == 0 and report.updated == 0 and report.indexed == 0
        assert _db_state(rt) == before_db
        after_ix = _index_state(rt)
        assert after_ix.keys() == before_ix.keys()


def test_complete_snapshot_removes_ads_it_no_longer_holds(runtime_factory, demo_ads) -> None:
    with FakeJobStream(ads=demo_ads[:20]) as srv:
        rt = runtime_factory(url=srv.url)
        with _client(rt) as client:
            rt.ingestor.bootstrap(client)
            srv.remove(demo_ads[3]["id"])
            report = rt.ingestor.bootstrap(client)
        assert report.reconciled == 1
        assert demo_ads[3]["id"] not in rt.index.ad_ids()
        assert rt.index.count() == 19


def test_truncated_snapshot_is_an_error_and_changes_nothing(runtime_factory, demo_ads) -> None:
    with FakeJobStream(ads=demo_ads[:20]) as srv:
        rt = runtime_factory(url=srv.url)
        srv.truncate_next(5000, "/v2/snapshot", times=10)
        with _client(rt) as client, pytest.raises(IncompleteSnapshotError):
            rt.ingestor.bootstrap(client)
        assert rt.live_count() == 0
        with rt.db.begin(readonly=True) as conn:
            assert runs.get_checkpoint(conn, CHECKPOINT) is None


def test_persistent_server_errors_leave_the_checkpoint_unchanged(runtime_factory, demo_ads) -> None:
    with FakeJobStream(ads=demo_ads[:10]) as srv:
        rt = runtime_factory(url=srv.url)
        with _client(rt) as client:
            rt.ingestor.bootstrap(client)
        with rt.db.begin(readonly=True) as conn:
            checkpoint = runs.get_checkpoint(conn, CHECKPOINT)
        srv.fail_next("/v2/stream", status=500, times=10)
        with _client(rt) as client, pytest.raises(SourceError, match="attempts"):
            rt.ingestor.update(client)
        with rt.db.begin(readonly=True) as conn:
            assert runs.get_checkpoint(conn, CHECKPOINT) == checkpoint


def test_malformed_ads_are_skipped_counted_and_recorded(runtime_factory, demo_ads) -> None:
    rt = runtime_factory()
    bad = [{"headline": "no id"}, {**demo_ads[0], "id": "bad-1", "headline": ["not", "text"]},
           {**demo_ads[1], "id": "bad-2", "publication_date": "yesterday"}]
    report = rt.ingestor.load_items([*demo_ads[2:12], *bad])
    assert report.inserted == 10
    assert report.skipped == 3
    assert rt.index.count() == 10
    with rt.db.begin(readonly=True) as conn:
        skipped = runs.skipped_in_run(conn, report.run_id)
    assert {s.ad_id for s in skipped} == {None, "bad-1", "bad-2"}


class _Crash(Exception):
    pass


def test_crash_mid_index_then_rerun_equals_an_uninterrupted_run(runtime_factory, demo_ads) -> None:
    ads = [_future(a) for a in demo_ads]
    with FakeJobStream(ads=ads) as srv:
        clean = runtime_factory("clean", srv.url)
        with _client(clean) as client:
            clean.ingestor.bootstrap(client)

        crashy = runtime_factory("crashy", srv.url)
        builder = crashy.ingestor.points
        real_build = builder.build
        calls = {"n": 0}

        def build_then_crash(batch):  # the second batch dies, as a kill would
            calls["n"] += 1
            if calls["n"] == 2:
                raise _Crash()
            return real_build(batch)

        builder.build = build_then_crash  # type: ignore[method-assign]
        with _client(crashy) as client, pytest.raises(_Crash):
            crashy.ingestor.bootstrap(client)
        with crashy.db.begin(readonly=True) as conn:
            assert runs.get_checkpoint(conn, CHECKPOINT) is None  # not advanced past unindexed ads
        assert 0 < crashy.index.count() < len(ads)

        builder.build = real_build  # type: ignore[method-assign]
        with _client(crashy) as client:
            crashy.ingestor.update(client)  # no checkpoint: re-runs the snapshot

        assert [r[:3] for r in _db_state(crashy)] == [r[:3] for r in _db_state(clean)]
        assert all(r[3] == r[1] for r in _db_state(crashy))
        a, b = _index_state(crashy), _index_state(clean)
        assert a.keys() == b.keys()
        for k in a:
            np.testing.assert_allclose(a[k], b[k], atol=1e-5)
