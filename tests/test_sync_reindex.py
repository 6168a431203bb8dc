"""Blue/green re-indexing: build beside the serving index, switch atomically, resume, roll back,
delete old retired indexes, and the worker's re-index after a promotion.

Two tiny models with different seeds stand in for the champion (A) and challenger (B).
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from jobsai.config import Settings
from jobsai.embed.model import Embedder
from jobsai.embed.model_ref import ModelRef
from jobsai.errors import StoreError
from jobsai.index import catalog
from jobsai.index.factory import edge_index_path
from jobsai.index.points import AdPointBuilder
from jobsai.learn.train import LearnError
from jobsai.runtime import Runtime
from jobsai.sources.demo import iter_demo_items
from jobsai.store import registry
from jobsai.store.schema import ads as ads_table
from jobsai.sync.reindex import build_index, prune_retired, read_manifest, rollback, switch_active
from jobsai.web.service import WebService
from jobsai.worker import Worker

from support.promotion import promoting
from support.tiny_model import make_tiny_model

N_ADS = 30
CV = ("Jag är undersköterska med många års erfarenhet av hemtjänst och äldreomsorg. "
      "Jag har arbetat inom vård och omsorg, kan dokumentera, är noggrann och tycker om att "
      "hjälpa människor i vardagen. Körkort finns.")


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("models")
    return make_tiny_model(base / "champion", seed=0), make_tiny_model(base / "challenger", seed=1)


@pytest.fixture(scope="module")
def demo_ads() -> list[dict[str, Any]]:
    return list(iter_demo_items())[:N_ADS]


@pytest.fixture
def settings(tmp_path: Path, models: tuple[Path, Path]) -> Settings:
    return Settings(data_dir=tmp_path / "data", model=str(models[0]), embed_quantize=False, database_url=None,
                    qdrant_url=None, jobstream_url="http://127.0.0.1:9", web_request_timeout_s=1.0)


@pytest.fixture
def served(settings: Settings, demo_ads: list[dict[str, Any]]) -> Iterator[Runtime]:
    rt = Runtime(settings)
    rt.ingestor.load_items(demo_ads, expire=False)
    yield rt
    rt.close()


def _challenger(settings: Settings, models: tuple[Path, Path]) -> Embedder:
    return Embedder.load(settings, model=ModelRef(str(models[1]), settings.embed_backend))


def _hash_state(rt: Runtime) -> dict[str, tuple[str, str | None]]:
    with rt.db.begin(readonly=True) as conn:
        rows = conn.execute(select(ads_table.c.id, ads_table.c.content_hash, ads_table.c.indexed_hash)
                            .where(ads_table.c.removed_at.is_(None)))
        return {r.id: (r.content_hash, r.indexed_hash) for r in rows}


def test_build_switch_then_queries_use_the_new_index_and_its_model(settings, served, models) -> None:
    before = served.matcher.match(CV, top_k=5)
    challenger = _challenger(settings, models)
    report = build_index(settings, served.db, challenger, "ads-2")
    assert report.embedded == N_ADS and report.record.point_count == N_ADS
    with served.db.begin(readonly=True) as conn:
        assert catalog.active_index(conn).name == "ads"  # type: ignore[union-attr]
        assert catalog.get_index(conn, "ads-2").status == "building"  # type: ignore[union-attr]
    assert served.matcher.match(CV, top_k=5) == before  # the old index kept serving, untouched

    record = switch_active(settings, served.db, "ads-2")
    assert record.status == "active"
    state = _hash_state(served)
    assert all(c == i for c, i in state.values())  # indexed_hash now describes ads-2 exactly
    served.close()
    # The configured model is still A, but queries follow the registry: index ads-2, model B.
    with Runtime(settings) as rt:
        assert rt.index_name == "ads-2"
        assert rt.embedder.fingerprint == challenger.fingerprint
        assert rt.index.count() == N_ADS
        assert rt.ingestor.sync_index().indexed == 0  # nothing to catch up
        assert rt.matcher.match(CV, top_k=5)


def test_queries_keep_answering_during_reindex_and_switch_is_atomic(settings, served, models) -> None:
    service = WebService(settings)
    service.start(served, background=False)
    assert service.readiness().ready
    old_version = service.model_version
    errors: list[BaseException] = []
    empties: list[int] = []
    answered: list[str] = []
    stop = threading.Event()
    swapped = threading.Event()
    mixed: list[str] = []

    def ask() -> None:
        while not stop.is_set():
            try:
                after_swap = swapped.is_set()
                rt, matcher = service._ready_runtime()
                if matcher.index is not rt.index or (after_swap and rt.index_name != "ads-2"):
                    mixed.append(rt.index_name)  # a torn pair, or the old one after the swap
                found = matcher.match(CV, top_k=5)
                if not found:
                    empties.append(1)
                answered.append(rt.index_name)
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)
            time.sleep(0.005)

    askers = [threading.Thread(target=ask) for _ in range(3)]
    for t in askers:
        t.start()
    try:
        build_index(settings, served.db, _challenger(settings, models), "ads-2")
        switch_active(settings, served.db, "ads-2")
        service.hot_swap(Runtime(settings))
        swapped.set()
        time.sleep(0.3)
    finally:
        stop.set()
        for t in askers:
            t.join()
    try:
        assert not errors, errors[:3]
        assert not empties
        assert "ads" in answered and "ads-2" in answered
        assert not mixed  # atomic: never a torn (runtime, matcher) pair, never the old one after
        assert service.model_version != old_version
        assert service.runtime is not None and service.runtime.index_name == "ads-2"
    finally:
        service.stop()  # closes the swapped-in runtime; the original belongs to the fixture


def test_crash_mid_build_leaves_the_old_index_serving_and_the_build_resumes(
    settings, served, models, monkeypatch
) -> None:
    challenger = _challenger(settings, models)
    real_build = AdPointBuilder.build
    calls = {"n": 0}

    def build_then_crash(self, ads):  # the second batch dies, as a kill would
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")
        return real_build(self, ads)

    monkeypatch.setattr(AdPointBuilder, "build", build_then_crash)
    with pytest.raises(KeyboardInterrupt):
        build_index(settings, served.db, challenger, "ads-2", batch=8)
    with served.db.begin(readonly=True) as conn:
        assert catalog.active_index(conn).name == "ads"  # type: ignore[union-attr]
        assert catalog.get_index(conn, "ads-2").status == "building"  # type: ignore[union-attr]
    assert served.matcher.match(CV, top_k=5)  # still serving
    with pytest.raises(StoreError, match="not finished"):
        switch_active(settings, served.db, "ads-2")
    assert len(read_manifest(settings, "ads-2")) == 8

    monkeypatch.setattr(AdPointBuilder, "build", real_build)
    report = build_index(settings, served.db, challenger, "ads-2", batch=8)
    assert report.resumed_with == 8 and report.embedded == N_ADS - 8
    switch_active(settings, served.db, "ads-2")
    with served.db.begin(readonly=True) as conn:
        assert catalog.active_index(conn).name == "ads-2"  # type: ignore[union-attr]


def test_rollback_switches_back_without_re_embedding_then_syncs_the_delta(
    settings, served, models, demo_ads
) -> None:
    build_index(settings, served.db, _challenger(settings, models), "ads-2")
    switch_active(settings, served.db, "ads-2")
    served.close()
    changed = copy.deepcopy(demo_ads[0])
    changed["headline"] = changed["headline"] + " (ändrad)"
    with Runtime(settings) as rt:  # ads-2 serves; one ad changes and is synced into it
        assert rt.index_name == "ads-2"
        assert rt.ingestor.load_items([changed], expire=False).indexed == 1

    record = rollback(settings, served.db)
    assert record.name == "ads" and record.status == "active"
    state = _hash_state(served)
    stale = [ad_id for ad_id, (c, i) in state.items() if c != i]
    assert stale == [str(changed["id"])]  # ads still holds the old version of that ad only
    with Runtime(settings) as rt:
        assert rt.index_name == "ads"
        assert rt.embedder.fingerprint.name == Path(settings.model).name
        assert rt.ingestor.sync_index().indexed == 1  # only the delta is embedded
        assert rt.matcher.match(CV, top_k=5)
    with pytest.raises(StoreError):
        rollback(settings, served.db, "nonexistent")


def test_only_the_latest_retired_index_is_kept_older_ones_are_deleted(settings, served, models) -> None:
    build_index(settings, served.db, _challenger(settings, models), "ads-2")
    switch_active(settings, served.db, "ads-2")
    assert edge_index_path(settings, "ads").is_dir()  # the one retired index is kept for rollback
    build_index(settings, served.db, Embedder.load(settings), "ads-3")
    switch_active(settings, served.db, "ads-3")
    # "ads" is now the older of two retired indexes, but the fixture's runtime still has it open:
    # it is marked in SQL (no rollback target) and its folder is left for later.
    assert edge_index_path(settings, "ads").is_dir()
    with served.db.begin(readonly=True) as conn:
        old = catalog.get_index(conn, "ads")
    assert old is not None and old.status == "retired" and old.activated_at is None
    with pytest.raises(StoreError, match="no retired index"):
        rollback(settings, served.db, "ads")

    served.close()
    assert prune_retired(settings, served.db) == ["ads"]
    assert not edge_index_path(settings, "ads").exists()
    with served.db.begin(readonly=True) as conn:
        pruned = catalog.get_index(conn, "ads")
    assert pruned is not None and pruned.activated_at is None and pruned.point_count is None
    assert not read_manifest(settings, "ads")
    assert edge_index_path(settings, "ads-2").is_dir() and edge_index_path(settings, "ads-3").is_dir()
    assert prune_retired(settings, served.db) == []  # idempotent

    record = rollback(settings, served.db)  # to the kept one, without re-embedding
    assert record.name == "ads-2"
    # ads-3 is now the most recent retired index: kept; nothing else is left to delete.
    assert edge_index_path(settings, "ads-3").is_dir()
    with Runtime(settings) as rt:
        assert rt.index_name == "ads-2" and rt.matcher.match(CV, top_k=5)


def test_more_retired_indexes_are_kept_when_configured(settings, served, models) -> None:
    served.close()
    keep2 = settings.model_copy(update={"index_keep_retired": 2})
    for name, embedder in (("ads-2", _challenger(settings, models)), ("ads-3", Embedder.load(settings))):
        build_index(keep2, served.db, embedder, name)
        switch_active(keep2, served.db, name)
    assert all(edge_index_path(settings, n).is_dir() for n in ("ads", "ads-2", "ads-3"))
    assert prune_retired(settings, served.db) == ["ads"]  # with the default (1) the oldest goes


class _HotSwap:
    """Stands in for the web service's hot swap: holds the serving runtime, closes the old one."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.swaps: list[Runtime] = []

    def __call__(self, new: Runtime) -> None:
        self.swaps.append(new)
        old, self.rt = self.rt, new
        old.close()


def test_worker_reindexes_with_a_newly_promoted_champion(settings, served, models) -> None:
    """The training job's promotion path: the registry gets a new champion (as run_training records
    it), the worker builds an index with it, switches, and hot-swaps a runtime on it in."""
    served.close()
    challenger_fp = _challenger(settings, models).fingerprint
    holder = _HotSwap(Runtime(settings))
    swaps = holder.swaps

    train = promoting("v-test", models[1])  # a new champion, as run_training records one
    w = Worker(settings, lambda: holder.rt, on_swap=holder, update=lambda rt: None, train=train)
    try:
        assert w.run_job("train") is True
        assert len(swaps) == 1
        rt = holder.rt
        with rt.db.begin(readonly=True) as conn:
            active = catalog.active_index(conn)
        assert active is not None and active.name == "ads-2"
        assert active.model_sha256 == challenger_fp.weights_sha256
        assert rt.index_name == "ads-2" and rt.embedder.fingerprint == challenger_fp
        assert rt.index.count() == N_ADS and rt.matcher.match(CV, top_k=5)

        # Nothing new promoted: the next run does not rebuild.
        idle = Worker(settings, lambda: holder.rt, on_swap=holder, update=lambda rt: None, train=lambda rt: None)
        assert idle.run_job("train") is True and len(swaps) == 1
    finally:
        holder.rt.close()


def test_worker_catches_up_with_a_champion_that_does_not_serve_yet(settings, served, models) -> None:
    """A promotion whose re-index never happened (a crash, or `jobsai models promote` by hand) is
    picked up by the next training run, even when that run trains nothing."""
    with served.db.begin() as conn:
        registry.add_model(conn, version="v-hand", base=str(models[0]), path=str(models[1]))
        registry.promote_in(conn, "v-hand", reason="promoted by hand")
    served.close()

    def no_feedback(rt: Runtime) -> None:
        raise LearnError("Not enough consented feedback to train.")

    rt0 = Runtime(settings)
    # no on_swap: the new runtime is closed
    w = Worker(settings, lambda: rt0, update=lambda rt: None, train=no_feedback)
    try:
        assert w.run_job("train") is True
        with rt0.db.begin(readonly=True) as conn:
            active = catalog.active_index(conn)
        assert active is not None and active.name == "ads-2"
        assert active.model_sha256 == _challenger(settings, models).fingerprint.weights_sha256
        assert w.champion_to_serve() is None
    finally:
        rt0.close()


def test_the_update_job_serves_a_hand_promotion_even_when_jobstream_is_down(settings, served, models) -> None:
    """`jobsai models promote` by hand takes effect within one update interval, not after the next
    weekly training; the next update, with nothing changed, builds nothing."""
    with served.db.begin() as conn:
        registry.add_model(conn, version="v-hand", base=str(models[0]), path=str(models[1]))
        registry.promote_in(conn, "v-hand", reason="promoted by hand")
    served.close()
    updates: list[str] = []

    def jobstream_down(rt: Runtime) -> None:
        updates.append(rt.index_name)
        raise RuntimeError("JobStream is down")

    holder = _HotSwap(Runtime(settings))
    swaps = holder.swaps

    w = Worker(settings, lambda: holder.rt, on_swap=holder, update=jobstream_down)
    try:
        assert w.run_job("update") is True
        assert updates == ["ads"] and len(swaps) == 1
        with holder.rt.db.begin(readonly=True) as conn:
            active = catalog.active_index(conn)
        assert active is not None and active.name == "ads-2"
        assert active.model_sha256 == _challenger(settings, models).fingerprint.weights_sha256
        assert holder.rt.matcher.match(CV, top_k=5)

        assert w.run_job("update") is True  # nothing changed: no second build
        assert updates == ["ads", "ads-2"] and len(swaps) == 1
        with holder.rt.db.begin(readonly=True) as conn:
            assert [r.name for r in catalog.list_indexes(conn)].count("ads-3") == 0
    finally:
        holder.rt.close()
